using Berth.Contracts;
using Berth.IntegrationTests.Fixtures;
using Berth.Planner.Mongo;
using Berth.Planner.Responses;

namespace Berth.IntegrationTests.Storage;

/// <summary>
/// What every response store must do, run against each implementation: in memory always,
/// MongoDB wherever one is reachable.
/// </summary>
public abstract class ResponseStoreContract
{
    private protected abstract IResponseStore CreateStore();

    private static StoredResponse NewResponse(string? previous = null, Guid? session = null, string? tenant = "acme", string status = ResponseStatuses.Queued) => new(new ResponseSnapshot
    {
        Id = $"resp_{Guid.NewGuid():N}",
        SessionId = session ?? Guid.NewGuid(),
        Status = status,
        Model = "m",
        Instructions = "be brief",
        PreviousResponseId = previous,
        Shell = new ShellToolSpec(),
        MaxToolCalls = 3,
        Metadata = new Dictionary<string, string> { ["ticket"] = "B-1" },
        Background = true,
        CreatedAt = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000),
        Tenant = tenant,
    }, [new InputMessage("user", "hello"), new InputMessage("developer", "rules")]);

    private static ResponseItem Call(string id, string status = ItemStatus.InProgress) =>
        new() { Id = id, Type = ResponseItem.ShellCall, Status = status, CallId = $"call-{id}", Commands = ["ls", "pwd"], TimeoutMs = 500 };

    private static ResponseItem Output(string id, string stdout) => new()
    {
        Id = id,
        Type = ResponseItem.ShellCallOutput,
        CallId = $"call-{id}",
        MaxOutputLength = 100,
        Outputs = [new CommandOutput { Stdout = stdout, Stderr = "e", ExitCode = 2 }, new CommandOutput { TimedOut = true }],
    };

    [Fact]
    public async Task Should_find_a_response_as_it_was_added()
    {
        var store = CreateStore();
        var response = NewResponse();

        Assert.True(await store.TryAddAsync(response, CancellationToken.None));
        var found = await store.FindAsync(response.Id, CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(response.Input, found.Input);
        var (expected, actual) = (response.Snapshot, found.Snapshot);
        Assert.Equal(expected.SessionId, actual.SessionId);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.Instructions, actual.Instructions);
        Assert.Equal(expected.Shell, actual.Shell);
        Assert.Equal(expected.MaxToolCalls, actual.MaxToolCalls);
        Assert.Equal(expected.Metadata, actual.Metadata);
        Assert.Equal(expected.Background, actual.Background);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
        Assert.Equal("acme", actual.Tenant);
        Assert.Empty(actual.Output);
        Assert.Equal(new TokenUsage(0, 0), actual.Usage);
    }

    [Fact]
    public async Task Should_name_a_responses_tenant_and_a_tenants_running_sessions()
    {
        var store = CreateStore();
        var session = Guid.NewGuid();
        var queued = NewResponse(session: session);
        var runningSameSession = NewResponse(session: session, status: ResponseStatuses.InProgress);
        var runningElsewhere = NewResponse(status: ResponseStatuses.InProgress);
        var finished = NewResponse(status: ResponseStatuses.Completed);
        var globex = NewResponse(tenant: "globex");
        var beforeTenants = NewResponse(tenant: null);
        foreach (var response in new[] { queued, runningSameSession, runningElsewhere, finished, globex, beforeTenants })
        {
            await store.TryAddAsync(response, CancellationToken.None);
        }

        var unstored = NewResponse() with { Snapshot = NewResponse().Snapshot with { Store = false } };
        await store.TryAddAsync(unstored, CancellationToken.None);

        Assert.Equal(new ResponseOwner("acme", Stored: true), await store.FindOwnerAsync(queued.Id, CancellationToken.None));
        Assert.Equal(new ResponseOwner("local", Stored: true), await store.FindOwnerAsync(beforeTenants.Id, CancellationToken.None));
        Assert.Equal(new ResponseOwner("acme", Stored: false), await store.FindOwnerAsync(unstored.Id, CancellationToken.None));
        Assert.Null(await store.FindOwnerAsync("resp_missing", CancellationToken.None));

        var acme = await store.ActiveSessionsAsync("acme", CancellationToken.None);
        Assert.Equal(new HashSet<Guid> { session, runningElsewhere.Snapshot.SessionId, unstored.Snapshot.SessionId }, acme.ToHashSet());
        Assert.Equal(new HashSet<Guid> { globex.Snapshot.SessionId }, (await store.ActiveSessionsAsync("globex", CancellationToken.None)).ToHashSet());
        Assert.Equal(new HashSet<Guid> { beforeTenants.Snapshot.SessionId }, (await store.ActiveSessionsAsync("local", CancellationToken.None)).ToHashSet());

        await store.FinishAsync(runningElsewhere.Id, new ResponseOutcome(ResponseStatuses.Completed, DateTimeOffset.FromUnixTimeSeconds(1_790_000_100)), CancellationToken.None);
        Assert.Equal(new HashSet<Guid> { session, unstored.Snapshot.SessionId }, (await store.ActiveSessionsAsync("acme", CancellationToken.None)).ToHashSet());
    }

    [Fact]
    public async Task Should_tell_apart_the_running_sessions_with_a_shell_tool()
    {
        var store = CreateStore();
        var withShell = NewResponse();
        var plain = NewResponse();
        var withoutShell = plain with { Snapshot = plain.Snapshot with { Shell = null } };
        var finished = NewResponse(status: ResponseStatuses.Completed);
        foreach (var response in new[] { withShell, withoutShell, finished })
        {
            await store.TryAddAsync(response, CancellationToken.None);
        }

        Assert.Equal(new HashSet<Guid> { withShell.Snapshot.SessionId }, (await store.ActiveShellSessionsAsync("acme", CancellationToken.None)).ToHashSet());
        Assert.Equal(new HashSet<Guid> { withShell.Snapshot.SessionId, withoutShell.Snapshot.SessionId }, (await store.ActiveSessionsAsync("acme", CancellationToken.None)).ToHashSet());
    }

    [Fact]
    public async Task Should_refuse_a_second_response_with_the_same_id()
    {
        var store = CreateStore();
        var response = NewResponse();

        Assert.True(await store.TryAddAsync(response, CancellationToken.None));
        Assert.False(await store.TryAddAsync(response with { Input = [new InputMessage("user", "other")] }, CancellationToken.None));
        Assert.Equal("hello", (await store.FindAsync(response.Id, CancellationToken.None))!.Input[0].Text);
    }

    [Fact]
    public async Task Should_find_nothing_when_the_response_does_not_exist()
    {
        var store = CreateStore();

        Assert.Null(await store.FindAsync("resp_missing", CancellationToken.None));
        Assert.Empty(await store.GetChainAsync("resp_missing", CancellationToken.None));
    }

    [Fact]
    public async Task Should_keep_items_in_order_and_ignore_a_replayed_item()
    {
        var store = CreateStore();
        var response = NewResponse();
        await store.TryAddAsync(response, CancellationToken.None);

        await store.AppendItemAsync(response.Id, Call("a"), CancellationToken.None);
        await store.AppendItemAsync(response.Id, Output("b", "one"), CancellationToken.None);
        await store.AppendItemAsync(response.Id, Call("a"), CancellationToken.None);
        await store.AppendItemAsync(response.Id, Output("b", "replayed"), CancellationToken.None);
        await store.AppendItemAsync(response.Id, new ResponseItem { Id = "c", Type = ResponseItem.Message, Text = "done" }, CancellationToken.None);

        var output = (await store.FindAsync(response.Id, CancellationToken.None))!.Snapshot.Output;
        Assert.Equal(["a", "b", "c"], output.Select(i => i.Id));
        Assert.Equal(["ls", "pwd"], output[0].Commands);
        Assert.Equal(500, output[0].TimeoutMs);
        Assert.Equal("one", output[1].Outputs![0].Stdout);
        Assert.Equal(2, output[1].Outputs![0].ExitCode);
        Assert.True(output[1].Outputs![1].TimedOut);
        Assert.Null(output[1].Outputs![1].ExitCode);
        Assert.Equal("done", output[2].Text);
    }

    [Fact]
    public async Task Should_change_the_status_of_one_item()
    {
        var store = CreateStore();
        var response = NewResponse();
        await store.TryAddAsync(response, CancellationToken.None);
        await store.AppendItemAsync(response.Id, Call("a"), CancellationToken.None);
        await store.AppendItemAsync(response.Id, Call("b"), CancellationToken.None);

        await store.SetItemStatusAsync(response.Id, "a", ItemStatus.Completed, CancellationToken.None);

        var output = (await store.FindAsync(response.Id, CancellationToken.None))!.Snapshot.Output;
        Assert.Equal([ItemStatus.Completed, ItemStatus.InProgress], output.Select(i => i.Status));
    }

    [Fact]
    public async Task Should_sum_usage_over_model_calls_and_count_a_replayed_call_once()
    {
        var store = CreateStore();
        var response = NewResponse();
        await store.TryAddAsync(response, CancellationToken.None);

        await store.RecordUsageAsync(response.Id, 1, new TokenUsage(10, 2), CancellationToken.None);
        await store.RecordUsageAsync(response.Id, 2, new TokenUsage(30, 4), CancellationToken.None);
        await store.RecordUsageAsync(response.Id, 2, new TokenUsage(30, 4), CancellationToken.None);

        Assert.Equal(new TokenUsage(40, 6), (await store.FindAsync(response.Id, CancellationToken.None))!.Snapshot.Usage);
    }

    [Fact]
    public async Task Should_record_the_outcome_and_close_items_in_progress_when_finishing()
    {
        var store = CreateStore();
        var response = NewResponse();
        await store.TryAddAsync(response, CancellationToken.None);
        await store.SetStatusAsync(response.Id, ResponseStatuses.InProgress, CancellationToken.None);
        await store.AppendItemAsync(response.Id, Call("a", ItemStatus.Completed), CancellationToken.None);
        await store.AppendItemAsync(response.Id, Call("b"), CancellationToken.None);

        var completedAt = DateTimeOffset.FromUnixTimeSeconds(1_790_000_100);
        await store.FinishAsync(response.Id, new ResponseOutcome(ResponseStatuses.Failed, completedAt, new ResponseError("sandbox_error", "gone")), CancellationToken.None);

        var snapshot = (await store.FindAsync(response.Id, CancellationToken.None))!.Snapshot;
        Assert.Equal(ResponseStatuses.Failed, snapshot.Status);
        Assert.Equal(new ResponseError("sandbox_error", "gone"), snapshot.Error);
        Assert.Equal(completedAt, snapshot.CompletedAt);
        Assert.Null(snapshot.IncompleteReason);
        Assert.Equal([ItemStatus.Completed, ItemStatus.Incomplete], snapshot.Output.Select(i => i.Status));
    }

    [Fact]
    public async Task Should_keep_the_first_outcome_when_a_finished_response_is_finished_again()
    {
        var store = CreateStore();
        var response = NewResponse();
        await store.TryAddAsync(response, CancellationToken.None);
        var cancelledAt = DateTimeOffset.FromUnixTimeSeconds(1_790_000_100);
        var first = new ResponseOutcome(ResponseStatuses.Cancelled, cancelledAt);

        Assert.Equal(first, await store.FinishAsync(response.Id, first, CancellationToken.None));
        var standing = await store.FinishAsync(response.Id,
            new ResponseOutcome(ResponseStatuses.Failed, cancelledAt.AddSeconds(5), new ResponseError("timeout", "late")), CancellationToken.None);
        await store.SetStatusAsync(response.Id, ResponseStatuses.InProgress, CancellationToken.None);

        Assert.Equal(first, standing);
        var snapshot = (await store.FindAsync(response.Id, CancellationToken.None))!.Snapshot;
        Assert.Equal(ResponseStatuses.Cancelled, snapshot.Status);
        Assert.Null(snapshot.Error);
        Assert.Equal(cancelledAt, snapshot.CompletedAt);
    }

    [Fact]
    public async Task Should_find_an_item_by_id_among_outputs_and_inputs_with_its_response_and_tenant()
    {
        var store = CreateStore();
        var resent = new ResponseItem { Id = $"fc_{Guid.NewGuid():N}", Type = ResponseItem.FunctionCall, CallId = "call-9", Name = "lookup", Arguments = "{}" };
        var response = NewResponse() with
        {
            Input = [new InputMessage("user", "hello") { Id = $"msg_{Guid.NewGuid():N}" }, new InputMessage(InputMessage.OutputItem, "") { Id = resent.Id, Item = resent }],
        };
        await store.TryAddAsync(response, CancellationToken.None);
        var call = Call($"sh_{Guid.NewGuid():N}");
        await store.AppendItemAsync(response.Id, call, CancellationToken.None);

        var output = await store.FindItemAsync(call.Id, CancellationToken.None);
        var message = await store.FindItemAsync(response.Input[0].Id!, CancellationToken.None);
        var sentBack = await store.FindItemAsync(resent.Id, CancellationToken.None);

        Assert.NotNull(output);
        Assert.Equal((response.Id, "acme", InputMessage.OutputItem), (output.ResponseId, output.Tenant, output.Item.Role));
        Assert.Equal(call.Commands, output.Item.Item!.Commands);
        Assert.Equal(call.CallId, output.Item.Item.CallId);
        Assert.NotNull(message);
        Assert.Equal((response.Id, "user", "hello"), (message.ResponseId, message.Item.Role, message.Item.Text));
        Assert.NotNull(sentBack);
        Assert.Equal(("lookup", "call-9", "{}"), (sentBack.Item.Item!.Name, sentBack.Item.Item.CallId, sentBack.Item.Item.Arguments));
        Assert.Null(await store.FindItemAsync($"msg_{Guid.NewGuid():N}", CancellationToken.None));
    }

    [Fact]
    public async Task Should_delete_a_response_with_its_items_and_events_and_leave_the_others()
    {
        var store = CreateStore();
        var kept = NewResponse();
        var deleted = NewResponse(previous: kept.Id, session: kept.Snapshot.SessionId);
        await store.TryAddAsync(kept, CancellationToken.None);
        await store.TryAddAsync(deleted, CancellationToken.None);
        var item = Call($"sh_{Guid.NewGuid():N}");
        await store.AppendItemAsync(deleted.Id, item, CancellationToken.None);
        await store.AppendEventsAsync(deleted.Id, [new KeyedEvent("created", new ResponseStreamEvent { SequenceNumber = 0, Type = "response.created" })], CancellationToken.None);

        Assert.True(await store.DeleteAsync(deleted.Id, CancellationToken.None));

        Assert.Null(await store.FindAsync(deleted.Id, CancellationToken.None));
        Assert.Null(await store.FindItemAsync(item.Id, CancellationToken.None));
        Assert.Null(await store.ReadEventsAsync(deleted.Id, -1, 10, CancellationToken.None));
        Assert.NotNull(await store.FindAsync(kept.Id, CancellationToken.None));
        Assert.Equal([kept.Id], (await store.GetChainAsync(kept.Id, CancellationToken.None)).Select(r => r.Id));
        Assert.False(await store.DeleteAsync(deleted.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Should_purge_only_the_unstored_responses_that_ended_before_the_cutoff_with_their_items_and_events()
    {
        var store = CreateStore();
        var endedAt = DateTimeOffset.FromUnixTimeSeconds(1_790_000_500);
        var gone = NewResponse() with { Snapshot = NewResponse().Snapshot with { Store = false } };
        var endedLater = NewResponse() with { Snapshot = NewResponse().Snapshot with { Store = false } };
        var running = NewResponse() with { Snapshot = NewResponse().Snapshot with { Store = false } };
        var stored = NewResponse();
        foreach (var response in new[] { gone, endedLater, running, stored })
        {
            await store.TryAddAsync(response, CancellationToken.None);
        }

        var item = Call($"sh_{Guid.NewGuid():N}", ItemStatus.Completed);
        await store.AppendItemAsync(gone.Id, item, CancellationToken.None);
        await store.FinishAsync(gone.Id, new ResponseOutcome(ResponseStatuses.Completed, endedAt), CancellationToken.None);
        await store.FinishAsync(endedLater.Id, new ResponseOutcome(ResponseStatuses.Completed, endedAt.AddMinutes(10)), CancellationToken.None);
        await store.FinishAsync(stored.Id, new ResponseOutcome(ResponseStatuses.Completed, endedAt), CancellationToken.None);

        var purged = await store.PurgeUnstoredAsync(endedAt.AddMinutes(5), CancellationToken.None);

        Assert.Equal(1, purged);
        Assert.Null(await store.FindAsync(gone.Id, CancellationToken.None));
        Assert.Null(await store.FindItemAsync(item.Id, CancellationToken.None));
        Assert.NotNull(await store.FindAsync(endedLater.Id, CancellationToken.None));
        Assert.NotNull(await store.FindAsync(running.Id, CancellationToken.None));
        Assert.NotNull(await store.FindAsync(stored.Id, CancellationToken.None));
        Assert.False((await store.FindAsync(endedLater.Id, CancellationToken.None))!.Snapshot.Store);
        Assert.Equal(0, await store.PurgeUnstoredAsync(endedAt.AddMinutes(5), CancellationToken.None));
    }

    [Fact]
    public async Task Should_return_the_chain_oldest_first()
    {
        var store = CreateStore();
        var first = NewResponse();
        var second = NewResponse(previous: first.Id, session: first.Snapshot.SessionId);
        var third = NewResponse(previous: second.Id, session: first.Snapshot.SessionId);
        foreach (var response in new[] { third, first, second })
        {
            await store.TryAddAsync(response, CancellationToken.None);
        }

        var chain = await store.GetChainAsync(third.Id, CancellationToken.None);

        Assert.Equal([first.Id, second.Id, third.Id], chain.Select(r => r.Id));
        Assert.Equal([first.Id], (await store.GetChainAsync(first.Id, CancellationToken.None)).Select(r => r.Id));
    }

    [Fact]
    public async Task Should_keep_every_item_when_appends_race()
    {
        var store = CreateStore();
        var response = NewResponse();
        await store.TryAddAsync(response, CancellationToken.None);

        var ids = Enumerable.Range(0, 40).Select(i => $"item-{i:D2}").ToList();
        await Task.WhenAll(ids.Concat(ids).Select(id => store.AppendItemAsync(response.Id, Call(id), CancellationToken.None)));

        var output = (await store.FindAsync(response.Id, CancellationToken.None))!.Snapshot.Output;
        Assert.Equal(ids.Order(), output.Select(i => i.Id).Order());
    }

    [Fact]
    public async Task Should_store_an_item_with_megabytes_of_output_whole()
    {
        var store = CreateStore();
        var response = NewResponse();
        await store.TryAddAsync(response, CancellationToken.None);
        var big = new string('x', 3 * 1024 * 1024);

        await store.AppendItemAsync(response.Id, Output("big", big), CancellationToken.None);

        Assert.Equal(big, (await store.FindAsync(response.Id, CancellationToken.None))!.Snapshot.Output.Single().Outputs![0].Stdout);
    }

    [Fact]
    public async Task Should_number_events_without_gaps_and_keep_their_number_when_appended_again()
    {
        var store = CreateStore();
        var response = NewResponse();
        await store.TryAddAsync(response, CancellationToken.None);
        var item = Call("sh_1");

        var first = await store.AppendEventsAsync(response.Id, [ResponseEvents.Lifecycle(StreamEventTypes.Created, "queued"), ResponseEvents.Added(0, item)], CancellationToken.None);
        var again = await store.AppendEventsAsync(response.Id, [ResponseEvents.Added(0, item), ResponseEvents.Done(0, item with { Status = ItemStatus.Completed })], CancellationToken.None);

        Assert.Equal([0, 1], first.Select(e => e.SequenceNumber));
        Assert.Equal([1, 2], again.Select(e => e.SequenceNumber));
        var stored = await store.ReadEventsAsync(response.Id, -1, 100, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(["response.created", "response.output_item.added", "response.output_item.done"], stored.Select(e => e.Type));
        Assert.Equal(item.Commands, stored[1].Item!.Commands);
        Assert.Equal(ItemStatus.Completed, stored[2].Item!.Status);
        Assert.Equal("queued", stored[0].Status);
        Assert.Equal(["response.output_item.done"], (await store.ReadEventsAsync(response.Id, 1, 100, CancellationToken.None))!.Select(e => e.Type));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1_000_000)]
    [InlineData(int.MaxValue)]
    public async Task Should_read_no_events_when_the_cursor_is_at_or_past_the_last_one(int after)
    {
        var store = CreateStore();
        var response = NewResponse();
        await store.TryAddAsync(response, CancellationToken.None);
        await store.AppendEventsAsync(response.Id, [ResponseEvents.Lifecycle(StreamEventTypes.Created, "queued"), ResponseEvents.Added(0, Call("sh_1")),
            ResponseEvents.Done(0, Call("sh_1") with { Status = ItemStatus.Completed })], CancellationToken.None);

        Assert.Empty((await store.ReadEventsAsync(response.Id, after, 100, CancellationToken.None))!);
    }

    [Fact]
    public async Task Should_give_every_event_its_own_number_when_writers_race()
    {
        var store = CreateStore();
        var response = NewResponse();
        await store.TryAddAsync(response, CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => store.AppendEventsAsync(response.Id,
            [ResponseEvents.Added(i, Call($"sh_{i}")), ResponseEvents.Added(i, Call($"sh_{i}"))], CancellationToken.None))));

        var stored = await store.ReadEventsAsync(response.Id, -1, 100, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal(Enumerable.Range(0, 12), stored.Select(e => e.SequenceNumber));
        Assert.Equal(12, stored.Select(e => e.Item!.Id).Distinct().Count());
    }

    [Fact]
    public async Task Should_read_no_events_of_an_unknown_response()
    {
        var store = CreateStore();
        Assert.Null(await store.ReadEventsAsync("resp_unknown", -1, 10, CancellationToken.None));
    }

    [Fact]
    public async Task Should_give_an_appended_item_its_index_in_the_output()
    {
        var store = CreateStore();
        var response = NewResponse();
        await store.TryAddAsync(response, CancellationToken.None);

        Assert.Equal(0, await store.AppendItemAsync(response.Id, Call("sh_a"), CancellationToken.None));
        Assert.Equal(1, await store.AppendItemAsync(response.Id, Call("sh_b"), CancellationToken.None));
        Assert.Equal(0, await store.AppendItemAsync(response.Id, Call("sh_a"), CancellationToken.None));
        Assert.Equal(2, await store.CountItemsAsync(response.Id, CancellationToken.None));
    }
}

public sealed class InMemoryResponseStoreTests : ResponseStoreContract
{
    private protected override IResponseStore CreateStore() => new InMemoryResponseStore();
}

public sealed class MongoResponseStoreTests(MongoFixture mongo) : ResponseStoreContract, IClassFixture<MongoFixture>
{
    private protected override IResponseStore CreateStore() => new MongoResponseStore(mongo.NewDatabase(), TimeProvider.System);
}
