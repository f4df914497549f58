using Berth.Contracts;
using Berth.Planner.Responses;
using MassTransit;

namespace Berth.Planner.Sessions.Activities;

/// <summary>
/// The session's container expired with its workspace kept (<c>Executor:SnapshotOnExpiry</c>):
/// the session forgets the container, so its next call goes to the pool, and a new container is
/// restored from the snapshot there instead of the call failing with <c>container_expired</c>.
/// </summary>
internal sealed class KeepWorkspaceActivity(AnnouncementBatch announcements) : SessionActivity<SessionWorkspaceKept>(announcements)
{
    protected override Task RunAsync(BehaviorContext<SessionState, SessionWorkspaceKept> context)
    {
        var session = context.Saga;

        // A session that has moved on (to a container of another executor) keeps the one it has;
        // one whose call found the container gone just before this came is whole again.
        if (session.ExecutorId == context.Message.ExecutorId && session.ContainerLostCode is null or ErrorCodes.ContainerExpired)
        {
            session.ContainerLostCode = null;
            session.ExecutorId = null;
            session.ContainerId = null;
            session.RestoreFrom = context.Message.Archive.ToString();
            session.RestoreSkillsFrom = context.Message.Skills?.ToString();
            session.RestoredFrom = context.Message.SnapshotId;
        }

        return Task.CompletedTask;
    }
}
