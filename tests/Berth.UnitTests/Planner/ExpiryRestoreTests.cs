using Berth.Contracts;
using Berth.Planner.Containers;
using Berth.Planner.Snapshots;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.UnitTests.Planner;

/// <summary>
/// The planner when a container expired with its workspace kept (<c>Executor:SnapshotOnExpiry</c>):
/// a session's own, and one made by <c>POST /v1/containers</c>.
/// </summary>
public sealed class ExpiryRestoreTests
{
    private static readonly Uri Archive = new("urn:berth-payload:kept:workspace-1");
    private static readonly Uri SkillsArchive = new("urn:berth-payload:kept:skills-1");
    private const string SnapshotId = "snap_0123456789abcdef0123456789abcdef";

    private static async Task<(SessionHarness Session, Guid SessionId, string First)> FinishedSessionAsync()
    {
        var session = await SessionHarness.StartAsync();
        var (sessionId, first) = await session.BeginAsync();
        await session.RunCallAsync(sessionId, first, 1, "call-1", executorId: "exec-1");
        await session.NextModelCallAsync(first, 2);
        session.ModelSays(first, 2, "done");
        await session.FinishedAsync(first);
        return (session, sessionId, first);
    }

    private static async Task<MassTransit.Testing.ISentMessage<ToolCallRequested>> NextCallAsync(SessionHarness session, Guid sessionId, string previous)
    {
        var second = await session.QueueAsync(sessionId, previousResponseId: previous);
        await session.NextModelCallAsync(second, 1);
        session.ModelSays(second, 1, null, SessionHarness.Call("call-2", "cat notes.txt"));
        return await session.NextToolCallAsync("call-2");
    }

    [Fact]
    public async Task Should_send_the_next_call_to_the_pool_with_the_kept_workspace_and_record_where_the_new_container_came_from()
    {
        var (session, sessionId, first) = await FinishedSessionAsync();
        await using var _ = session;

        await session.Harness.Bus.Publish(new SessionWorkspaceKept { SessionId = sessionId, ExecutorId = "exec-1", SnapshotId = SnapshotId, Archive = Archive, Skills = SkillsArchive },
            TestContext.Current.CancellationToken);
        Assert.True(await session.Sagas.Consumed.Any<SessionWorkspaceKept>());
        var call = await NextCallAsync(session, sessionId, first);

        Assert.Equal(Endpoints.Executors, call.Context.DestinationAddress, UriTail.Comparer);
        Assert.Null(call.Context.Message.ContainerId);
        Assert.Equal((Archive, SkillsArchive), (call.Context.Message.RestoreFrom, call.Context.Message.RestoreSkillsFrom));

        await session.ExecutorReportsAsync(sessionId, call.Context.Message.ResponseId, "call-2", executorId: "exec-2", containerId: "container-2");
        await session.NextModelCallAsync(call.Context.Message.ResponseId, 2);
        var record = await session.Containers.FindAsync(SessionContainers.IdOf(sessionId), TestContext.Current.CancellationToken);
        Assert.Equal(("container-2", "exec-2", SnapshotId), (record?.DockerContainerId, record?.ExecutorId, record?.RestoredFrom));
    }

    [Fact]
    public async Task Should_keep_its_container_when_the_kept_workspace_is_of_another_executors_container()
    {
        var (session, sessionId, first) = await FinishedSessionAsync();
        await using var _ = session;

        await session.Harness.Bus.Publish(new SessionWorkspaceKept { SessionId = sessionId, ExecutorId = "exec-9", SnapshotId = SnapshotId, Archive = Archive }, TestContext.Current.CancellationToken);
        Assert.True(await session.Sagas.Consumed.Any<SessionWorkspaceKept>());
        var call = await NextCallAsync(session, sessionId, first);

        Assert.Equal(Endpoints.Executor("exec-1"), call.Context.DestinationAddress, UriTail.Comparer);
        Assert.Equal("container-1", call.Context.Message.ContainerId);
        Assert.Null(call.Context.Message.RestoreFrom);
    }

    private static readonly ContainerSkillSeed Skill = new("lint", "Checks style", new Uri("urn:berth-payload:skill:lint"));

    /// <summary>A container of POST /v1/containers, running on exec-1, then expired with its workspace kept.</summary>
    private static async Task<ContainerSnapshot> ExpiredNamedContainerAsync(SessionHarness session)
    {
        var container = new ContainerSnapshot
        {
            Id = $"cntr_{Guid.NewGuid():N}",
            Name = "box",
            Status = ContainerStatuses.Running,
            SessionId = Guid.NewGuid(),
            ExecutorId = "exec-1",
            DockerContainerId = "container-1",
            IdleMinutes = 7,
            MemoryMb = 2048,
            Skills = [Skill],
            Tenant = "local",
        };
        await session.Containers.AddAsync(container, CancellationToken.None);
        await session.Harness.Bus.Publish(new ContainerRemoved
        {
            SessionId = container.SessionId,
            ExecutorId = "exec-1",
            Reason = ContainerStatuses.Expired,
            Kept = new WorkspaceSnapshotTaken(Archive, 1234, DateTimeOffset.UtcNow.AddDays(7)) { Skills = SkillsArchive },
        }, TestContext.Current.CancellationToken);
        Assert.True(await session.Harness.Consumed.Any<ContainerRemoved>(m => m.Context.Message.SessionId == container.SessionId));
        return container;
    }

    private static Task<Response<TaskAccepted, TaskRejected>> NameAsync(SessionHarness session, string containerId) =>
        session.Harness.GetRequestClient<TaskSubmitted>().GetResponse<TaskAccepted, TaskRejected>(new TaskSubmitted
        {
            ResponseId = $"resp_{Guid.NewGuid():N}",
            Model = "scripted",
            Input = [new InputMessage("user", "read my notes")],
            Shell = new ShellToolSpec { Environment = ShellEnvironments.Reference, ContainerId = containerId },
            SubmittedAt = DateTimeOffset.UtcNow,
        }, TestContext.Current.CancellationToken, RequestTimeout.After(s: 10));

    [Fact]
    public async Task Should_make_a_named_container_again_from_its_kept_workspace_when_a_response_names_it_after_it_expired()
    {
        await using var session = await SessionHarness.StartAsync();
        var container = await ExpiredNamedContainerAsync(session);
        var expired = await session.Containers.FindAsync(container.Id, CancellationToken.None);
        Assert.Equal(ContainerStatuses.Expired, expired!.Status);
        Assert.StartsWith("snap_", expired.KeptAs, StringComparison.Ordinal);

        var reply = await NameAsync(session, container.Id);
        Assert.True(reply.Is(out Response<TaskAccepted>? accepted));
        var responseId = accepted.Message.Response!.Id;
        await session.NextModelCallAsync(responseId, 1);
        session.ModelSays(responseId, 1, null, SessionHarness.Call("call-1", "cat notes.txt"));
        var call = (await session.NextToolCallAsync("call-1")).Context;

        // Made anew by whichever executor takes it, as the container was first made.
        Assert.Equal(Endpoints.Executors, call.DestinationAddress, UriTail.Comparer);
        var made = call.Message;
        Assert.Equal((null, Archive, SkillsArchive, 7, 2048), (made.ContainerId, made.RestoreFrom, made.RestoreSkillsFrom, made.IdleMinutes, made.MemoryMb));
        Assert.Equal([Skill], made.Skills);

        await session.ExecutorReportsAsync(container.SessionId, responseId, "call-1", executorId: "exec-2", containerId: "container-2");
        await session.NextModelCallAsync(responseId, 2);
        var running = await session.Containers.FindAsync(container.Id, CancellationToken.None);
        Assert.Equal((ContainerStatuses.Running, "exec-2", "container-2", expired.KeptAs, null),
            (running!.Status, running.ExecutorId, running.DockerContainerId, running.RestoredFrom, running.KeptAs));
        Assert.Null(await session.Containers.FindAsync(SessionContainers.IdOf(container.SessionId), CancellationToken.None));
    }

    [Fact]
    public async Task Should_refuse_a_response_that_names_an_expired_container_when_its_kept_workspace_was_deleted()
    {
        await using var session = await SessionHarness.StartAsync();
        var container = await ExpiredNamedContainerAsync(session);
        var snapshots = session.Harness.Scope.ServiceProvider.GetRequiredService<IWorkspaceSnapshotStore>();
        var keptAs = (await session.Containers.FindAsync(container.Id, CancellationToken.None))!.KeptAs!;
        Assert.NotNull(await snapshots.RemoveAsync(keptAs, CancellationToken.None));

        var reply = await NameAsync(session, container.Id);

        Assert.True(reply.Is(out Response<TaskRejected>? rejected));
        Assert.Equal(ErrorCodes.ContainerExpired, rejected.Message.Code);
    }
}
