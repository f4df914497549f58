using Berth.Contracts;

namespace Berth.Planner.Snapshots;

/// <summary>The records of workspace snapshots; their archives are in the payload store.</summary>
internal interface IWorkspaceSnapshotStore
{
    Task AddAsync(WorkspaceSnapshotInfo snapshot, CancellationToken cancellationToken);

    Task<WorkspaceSnapshotInfo?> FindAsync(string snapshotId, CancellationToken cancellationToken);

    /// <summary>
    /// The container's snapshots by creation time (then id), newest first unless <paramref name="oldestFirst"/>,
    /// from after <paramref name="after"/>, at most <paramref name="limit"/>; those expired at <paramref name="now"/> left out.
    /// </summary>
    Task<IReadOnlyList<WorkspaceSnapshotInfo>> ListAsync(string containerId, WorkspaceSnapshotInfo? after, int limit, bool oldestFirst, DateTimeOffset now,
        CancellationToken cancellationToken);

    /// <summary>What the tenant's snapshots not yet expired hold, in bytes.</summary>
    Task<long> TotalBytesAsync(string tenant, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Removes the record; the one removed, or null if there was none.</summary>
    Task<WorkspaceSnapshotInfo?> RemoveAsync(string snapshotId, CancellationToken cancellationToken);

    /// <summary>Snapshots whose expiry is at or before <paramref name="now"/>, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<WorkspaceSnapshotInfo>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);
}
