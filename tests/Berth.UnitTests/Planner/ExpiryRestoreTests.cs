using Berth.Contracts;
using Berth.Planner.Containers;

namespace Berth.UnitTests.Planner;

/// <summary>The session saga when its container expired with its workspace kept (<c>Executor:SnapshotOnExpiry</c>).</summary>
public sealed class ExpiryRestoreTests
{
    private static readonly Uri Archive = new("urn:berth-payload:kept:workspace-1");
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

        await session.Harness.Bus.Publish(new SessionWorkspaceKept { SessionId = sessionId, ExecutorId = "exec-1", SnapshotId = SnapshotId, Archive = Archive }, TestContext.Current.CancellationToken);
        Assert.True(await session.Sagas.Consumed.Any<SessionWorkspaceKept>());
        var call = await NextCallAsync(session, sessionId, first);

        Assert.Equal(Endpoints.Executors, call.Context.DestinationAddress, UriTail.Comparer);
        Assert.Null(call.Context.Message.ContainerId);
        Assert.Equal(Archive, call.Context.Message.RestoreFrom);

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
}
