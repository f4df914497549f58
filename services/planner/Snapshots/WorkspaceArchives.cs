using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Snapshots;

/// <summary>Asks the executor that holds a session's container to archive its workspace into the shared payload store.</summary>
internal sealed class WorkspaceArchives(IClientFactory clients)
{
    /// <summary>The archive, or why the executor could not make it.</summary>
    public async Task<(WorkspaceSnapshotTaken? Taken, ContainerFileFailed? Failed)> TakeAsync(string executorId, TakeWorkspaceSnapshot request, RequestTimeout wait,
        CancellationToken cancellationToken)
    {
        var reply = await clients.CreateRequestClient<TakeWorkspaceSnapshot>(Endpoints.ExecutorFiles(executorId), wait)
            .GetResponse<WorkspaceSnapshotTaken, ContainerFileFailed>(request, cancellationToken);
        return reply.Is(out Response<WorkspaceSnapshotTaken>? taken) ? (taken.Message, null)
            : reply.Is(out Response<ContainerFileFailed>? failed) ? (null, failed.Message)
            : throw new InvalidOperationException("The executor answered neither an archive nor a failure.");
    }
}
