using Berth.Contracts;
using Berth.Planner.Containers;
using MassTransit;

namespace Berth.Planner.Intake;

/// <summary>
/// A fork's starting files (<c>fork: true</c>): the parent session's workspace, archived by the
/// executor that holds its container when the fork is submitted, and unpacked in the fork's own
/// container when its first call makes one. From then on the two sessions diverge.
/// </summary>
internal sealed class ForkSeeds(IContainerStore containers, Snapshots.WorkspaceArchives archives)
{
    /// <summary>How long the intake waits for the archive; the api answers the client within its own planner timeout.</summary>
    private static readonly RequestTimeout TakeWait = RequestTimeout.After(s: 120);

    /// <summary>The archive of the parent's workspace, with its skills; null when the parent never had a container (nothing to copy), or why not.</summary>
    public async Task<(WorkspaceSnapshotTaken? Archive, TaskRejected? Refused)> TakeAsync(Guid parentSession, string responseId, CancellationToken cancellationToken)
    {
        var container = await containers.FindBySessionAsync(parentSession, cancellationToken);
        if (container is null)
        {
            return (null, null);
        }

        if (container is not { Status: ContainerStatuses.Running, ExecutorId: { } executorId })
        {
            return (null, Refused(responseId, ErrorCodes.ContainerExpired, $"The container of the response to fork from is {container.Status}; its files are gone, so there is nothing to fork."));
        }

        var (taken, failed) = await archives.TakeAsync(executorId, new TakeWorkspaceSnapshot(parentSession) { MaxBytes = long.MaxValue, Passing = true, WithSkills = true }, TakeWait, cancellationToken);
        return failed is null
            ? (taken, null)
            : (null, Refused(responseId, failed.Code, $"The files of the response to fork from could not be copied: {failed.Message}"));
    }

    private static TaskRejected Refused(string responseId, string code, string message) =>
        new() { ResponseId = responseId, Code = code, Param = "fork", Message = message };
}
