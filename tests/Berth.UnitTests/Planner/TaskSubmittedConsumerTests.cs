using Berth.Contracts;
using Berth.Planner.Responses;
using MassTransit;

namespace Berth.UnitTests.Planner;

/// <summary>The intake: what it stores and what it tells others when it accepts a response.</summary>
public sealed class TaskSubmittedConsumerTests
{
    [Fact]
    public async Task Should_store_the_created_event_without_announcing_it_when_a_response_is_accepted()
    {
        await using var session = await SessionHarness.StartAsync();
        var responseId = $"resp_{Guid.NewGuid():N}";

        var reply = await session.Harness.GetRequestClient<TaskSubmitted>().GetResponse<TaskAccepted, TaskRejected>(new TaskSubmitted
        {
            ResponseId = responseId,
            Model = "scripted",
            Input = [new InputMessage("user", "hello")],
            SubmittedAt = DateTimeOffset.UtcNow,
        }, TestContext.Current.CancellationToken, RequestTimeout.After(s: 10));
        await session.NextModelCallAsync(responseId, 1);

        Assert.True(reply.Is(out Response<TaskAccepted>? _));
        var stored = await session.Store.ReadEventsAsync(responseId, -1, 10, CancellationToken.None);
        Assert.Equal([StreamEventTypes.Created, StreamEventTypes.InProgress], stored!.Select(e => e.Type));
        Assert.True(await session.Harness.Published.Any<ResponseEventsAppended>(m => m.Context.Message.ResponseId == responseId));
        Assert.DoesNotContain(session.PublishedSoFar<ResponseEventsAppended>(m => m.Context.Message.ResponseId == responseId),
            announced => announced.Context.Message.Events.Any(e => e.Type == StreamEventTypes.Created));
    }

    [Fact]
    public async Task Should_store_the_items_a_reference_names_and_refuse_one_that_names_no_item_of_the_tenant()
    {
        await using var session = await SessionHarness.StartAsync();
        var earlier = $"resp_{Guid.NewGuid():N}";
        var said = new ResponseItem { Id = $"msg_{Guid.NewGuid():N}", Type = ResponseItem.Message, Text = "the answer is 42" };
        await session.Store.TryAddAsync(new StoredResponse(new ResponseSnapshot
        {
            Id = earlier,
            SessionId = Guid.NewGuid(),
            Status = ResponseStatuses.Completed,
            Model = "scripted",
            Tenant = "acme",
        }, [new InputMessage("user", "what is it?") { Id = "msg_question" }]), CancellationToken.None);
        await session.Store.AppendItemAsync(earlier, said, CancellationToken.None);

        var accepted = await SubmitAsync(session, "acme", new InputMessage(InputMessage.Reference, "") { Id = "msg_question" }, new InputMessage(InputMessage.Reference, "") { Id = said.Id });
        var unknown = await SubmitAsync(session, "acme", new InputMessage(InputMessage.Reference, "") { Id = "msg_nothing" });
        var otherTenant = await SubmitAsync(session, "globex", new InputMessage(InputMessage.Reference, "") { Id = said.Id });

        Assert.True(accepted.Is(out Response<TaskAccepted>? taken));
        var stored = (await session.Store.FindAsync(taken.Message.Response!.Id, CancellationToken.None))!.Input;
        Assert.Equal(("user", "what is it?", "msg_question"), (stored[0].Role, stored[0].Text, stored[0].Id));
        Assert.Equal((InputMessage.OutputItem, said.Id, "the answer is 42"), (stored[1].Role, stored[1].Id, stored[1].Item!.Text));
        Assert.True(unknown.Is(out Response<TaskRejected>? missing));
        Assert.Equal(("input", "Item with id 'msg_nothing' not found."), (missing.Message.Param, missing.Message.Message));
        Assert.True(otherTenant.Is(out Response<TaskRejected>? hidden));
        Assert.Equal($"Item with id '{said.Id}' not found.", hidden.Message.Message);
    }

    [Fact]
    public async Task Should_store_the_referenced_containers_own_network_with_a_response_that_runs_in_it()
    {
        await using var session = await SessionHarness.StartAsync();
        var policy = new NetworkPolicySpec { Type = NetworkPolicySpec.Allowlist, AllowedDomains = ["pypi.org"] };
        var containerId = $"cntr_{Guid.NewGuid():N}";
        await session.Containers.AddAsync(new ContainerSnapshot
        {
            Id = containerId,
            Name = "box",
            Status = ContainerStatuses.Running,
            SessionId = Guid.NewGuid(),
            NetworkPolicy = policy,
            Tenant = "local",
        }, CancellationToken.None);

        var reply = await session.Harness.GetRequestClient<TaskSubmitted>().GetResponse<TaskAccepted, TaskRejected>(new TaskSubmitted
        {
            ResponseId = $"resp_{Guid.NewGuid():N}",
            Model = "scripted",
            Input = [new InputMessage("user", "pip download requests")],
            Shell = new ShellToolSpec { Environment = "container_reference", ContainerId = containerId },
            SubmittedAt = DateTimeOffset.UtcNow,
        }, TestContext.Current.CancellationToken, RequestTimeout.After(s: 10));

        Assert.True(reply.Is(out Response<TaskAccepted>? accepted));
        var stored = await session.Store.FindAsync(accepted.Message.Response!.Id, CancellationToken.None);
        Assert.Equal(policy, stored!.Snapshot.Shell!.NetworkPolicy);
    }

    private static Task<Response<TaskAccepted, TaskRejected>> SubmitAsync(SessionHarness session, string tenant, params InputMessage[] input) =>
        session.Harness.GetRequestClient<TaskSubmitted>().GetResponse<TaskAccepted, TaskRejected>(new TaskSubmitted
        {
            ResponseId = $"resp_{Guid.NewGuid():N}",
            Model = "scripted",
            Input = input,
            SubmittedAt = DateTimeOffset.UtcNow,
            Tenant = tenant,
        }, TestContext.Current.CancellationToken, RequestTimeout.After(s: 10));
}
