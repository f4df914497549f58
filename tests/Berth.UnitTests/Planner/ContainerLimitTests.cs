using Berth.Contracts;
using Berth.Planner;
using Berth.Planner.Containers;
using Berth.Planner.Responses;
using Berth.Planner.Tenants;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.UnitTests.Planner;

/// <summary>A tenant's containers, its sessions' own counted with those made by POST /v1/containers, stay under its limit.</summary>
public sealed class ContainerLimitTests
{
    private static Action<TenantOptions> Limit(string tenant, int maxContainers) =>
        tenants => tenants.ByTenant[tenant] = new TenantSettings { MaxContainers = maxContainers };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static async Task<(ResponseSnapshot? Accepted, TaskRejected? Rejected)> SubmitAsync(SessionHarness session, string tenant, string? previousResponseId = null, bool withShell = true)
    {
        var client = session.Harness.GetRequestClient<TaskSubmitted>();
        var reply = await client.GetResponse<TaskAccepted, TaskRejected>(new TaskSubmitted
        {
            ResponseId = $"resp_{Guid.NewGuid():N}",
            Model = "scripted",
            Input = [new InputMessage("user", "hello")],
            PreviousResponseId = previousResponseId,
            Shell = withShell ? new ShellToolSpec() : null,
            SubmittedAt = DateTimeOffset.UtcNow,
            Tenant = tenant,
        }, Token, RequestTimeout.After(s: 10));
        return reply.Is(out Response<TaskAccepted>? accepted) ? (accepted.Message.Response, null)
            : reply.Is(out Response<TaskRejected>? rejected) ? (null, rejected.Message)
            : throw new InvalidOperationException("The intake answered neither accepted nor rejected.");
    }

    private static string? RejectionCode((ResponseSnapshot? Accepted, TaskRejected? Rejected) reply) => reply.Rejected?.Code;

    private static ResponseSnapshot Accepted((ResponseSnapshot? Accepted, TaskRejected? Rejected) reply) =>
        reply.Accepted ?? throw new Xunit.Sdk.XunitException($"Expected the response accepted; it was rejected: {reply.Rejected!.Code} {reply.Rejected.Message}");

    [Fact]
    public async Task Should_refuse_a_new_session_with_container_limit_exceeded_when_its_running_sessions_reach_the_limit()
    {
        await using var session = await SessionHarness.StartAsync(tenants: Limit("acme", 2));

        var first = Accepted(await SubmitAsync(session, "acme"));
        Accepted(await SubmitAsync(session, "acme"));
        var third = await SubmitAsync(session, "acme");

        Assert.Equal(ErrorCodes.ContainerLimitExceeded, RejectionCode(third));
        Assert.Contains("limit is 2", third.Rejected!.Message, StringComparison.Ordinal);

        // The session's next turn uses the container it has; another tenant has its own count;
        // a response without a shell tool makes no container.
        Accepted(await SubmitAsync(session, "acme", previousResponseId: first.Id));
        Accepted(await SubmitAsync(session, "globex"));
        Accepted(await SubmitAsync(session, "acme", withShell: false));
    }

    [Fact]
    public async Task Should_record_a_sessions_own_container_and_count_it_after_its_response_ended()
    {
        await using var session = await SessionHarness.StartAsync(tenants: Limit("acme", 1));
        var started = Accepted(await SubmitAsync(session, "acme"));
        await session.NextModelCallAsync(started.Id, 1);
        session.ModelSays(started.Id, 1, null, SessionHarness.Call("call_1", "true"));
        await session.NextToolCallAsync("call_1");
        await session.Harness.Bus.Publish(new ToolCallCompleted
        {
            SessionId = started.SessionId,
            ResponseId = started.Id,
            CallId = "call_1",
            ExecutorId = "exec-1",
            ContainerId = "docker-1",
            IdleMinutes = 20,
            Outputs = [new CommandOutput { Stdout = "ok\n" }],
            MaxOutputLength = 100,
        }, Token);
        await session.NextModelCallAsync(started.Id, 2);
        session.ModelSays(started.Id, 2, "done");
        await session.FinishedAsync(started.Id);

        var record = await session.Containers.FindAsync(SessionContainers.IdOf(started.SessionId), Token);
        Assert.NotNull(record);
        Assert.Equal((ContainerStatuses.Running, "acme", "exec-1", "docker-1", 20, true),
            (record.Status, record.Tenant, record.ExecutorId, record.DockerContainerId, record.IdleMinutes, record.Auto));

        // No response of the session runs, but its container is held: a new session would need a second.
        Assert.Equal(ErrorCodes.ContainerLimitExceeded, RejectionCode(await SubmitAsync(session, "acme")));

        // Once its executor removes it, the record goes and the place is free.
        await session.Harness.Bus.Publish(new ContainerRemoved { SessionId = started.SessionId, ExecutorId = "exec-1", Reason = ContainerStatuses.Expired }, Token);
        Assert.True(await session.Harness.GetConsumerHarness<ContainerRemovedConsumer>().Consumed.Any<ContainerRemoved>(Token));
        Assert.Null(await session.Containers.FindAsync(record.Id, Token));
        Accepted(await SubmitAsync(session, "acme"));
    }

    [Fact]
    public async Task Should_refuse_a_container_create_without_asking_the_pool_when_the_tenant_is_at_its_limit()
    {
        await using var session = await SessionHarness.StartAsync(tenants: Limit("acme", 1));
        session.Executors.Heard("exec-1");
        Accepted(await SubmitAsync(session, "acme"));

        var answer = await session.Harness.GetRequestClient<CreateContainer>().GetResponse<ContainerSnapshot, TaskRejected>(
            new CreateContainer { ContainerId = $"cntr_{Guid.NewGuid():N}", Name = "one too many", CreatedAt = DateTimeOffset.UtcNow, Tenant = "acme" }, Token,
            RequestTimeout.After(s: 10));

        Assert.True(answer.Is(out Response<TaskRejected>? rejected));
        Assert.Equal(ErrorCodes.ContainerLimitExceeded, rejected.Message.Code);
        // What was sent is all there by the time the answer is, as the consumer sends before it
        // answers: so only what is there is read (a cancelled token), not what may come.
        Assert.Empty(session.Harness.Sent.Select<ProvisionContainer>(new CancellationToken(canceled: true)));
    }

    [Fact]
    public async Task Should_free_a_lost_executors_containers_when_it_is_lost()
    {
        await using var session = await SessionHarness.StartAsync(tenants: Limit("acme", 2));
        var made = ContainerOn("exec-lost", auto: false);
        var own = ContainerOn("exec-lost", auto: true);
        var elsewhere = ContainerOn("exec-2", auto: true);
        foreach (var container in new[] { made, own, elsewhere })
        {
            await session.Containers.AddAsync(container, Token);
        }

        Assert.Equal(ErrorCodes.ContainerLimitExceeded, RejectionCode(await SubmitAsync(session, "acme")));

        await session.Harness.Bus.Publish(new ExecutorLost { ExecutorId = "exec-lost" }, Token);

        Assert.True(await session.Harness.GetConsumerHarness<ContainerRemovedConsumer>().Consumed.Any<ExecutorLost>(Token));
        Assert.Null(await session.Containers.FindAsync(own.Id, Token));
        Assert.Equal(ContainerStatuses.Expired, (await session.Containers.FindAsync(made.Id, Token))!.Status);
        Assert.Equal(ContainerStatuses.Running, (await session.Containers.FindAsync(elsewhere.Id, Token))!.Status);
        Accepted(await SubmitAsync(session, "acme"));
    }

    [Fact]
    public async Task Should_count_a_container_being_made_until_its_reservation_ends()
    {
        var responses = new InMemoryResponseStore();
        var admission = new TenantAdmission(responses, new InMemoryContainerStore(), Options.Create(new PlannerOptions { MaxContainersPerTenant = 1 }), Options.Create(new TenantOptions()));

        var (first, none) = await admission.ReserveContainerAsync("acme", Guid.NewGuid(), Token);
        var (second, refusal) = await admission.ReserveContainerAsync("acme", Guid.NewGuid(), Token);

        Assert.NotNull(first);
        Assert.Null(none);
        Assert.Null(second);
        Assert.Equal(ErrorCodes.ContainerLimitExceeded, refusal!.Code);

        first.Dispose();
        var (third, _) = await admission.ReserveContainerAsync("acme", Guid.NewGuid(), Token);
        Assert.NotNull(third);
    }

    private static ContainerSnapshot ContainerOn(string executorId, bool auto)
    {
        var sessionId = Guid.NewGuid();
        return new ContainerSnapshot
        {
            Id = SessionContainers.IdOf(sessionId),
            Name = auto ? SessionContainers.Name : "made",
            Status = ContainerStatuses.Running,
            SessionId = sessionId,
            ExecutorId = executorId,
            CreatedAt = DateTimeOffset.UtcNow,
            Tenant = "acme",
            Auto = auto,
        };
    }
}
