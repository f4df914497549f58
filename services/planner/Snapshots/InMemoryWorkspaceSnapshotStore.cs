using System.Collections.Concurrent;
using Berth.Contracts;
using Berth.Planner.Tenants;

namespace Berth.Planner.Snapshots;

/// <summary>The embedded snapshot store: in this planner process, like the in-memory response store.</summary>
internal sealed class InMemoryWorkspaceSnapshotStore : IWorkspaceSnapshotStore
{
    private readonly ConcurrentDictionary<string, WorkspaceSnapshotInfo> _snapshots = new(StringComparer.Ordinal);

    public Task AddAsync(WorkspaceSnapshotInfo snapshot, CancellationToken cancellationToken)
    {
        _snapshots[snapshot.Id] = snapshot;
        return Task.CompletedTask;
    }

    public Task<WorkspaceSnapshotInfo?> FindAsync(string snapshotId, CancellationToken cancellationToken) => Task.FromResult(_snapshots.GetValueOrDefault(snapshotId));

    public Task<IReadOnlyList<WorkspaceSnapshotInfo>> ListAsync(string containerId, WorkspaceSnapshotInfo? after, int limit, bool oldestFirst, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var of = _snapshots.Values.Where(s => s.ContainerId == containerId && s.ExpiresAt > now);
        var ordered = oldestFirst
            ? of.OrderBy(s => s.CreatedAt).ThenBy(s => s.Id, StringComparer.Ordinal)
            : of.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id, StringComparer.Ordinal);
        var page = after is null ? ordered : ordered.Where(s => CreationOrder.IsAfter(s.CreatedAt, s.Id, after.CreatedAt, after.Id, oldestFirst));
        return Task.FromResult<IReadOnlyList<WorkspaceSnapshotInfo>>([.. page.Take(limit)]);
    }

    public Task<long> TotalBytesAsync(string tenant, DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult(_snapshots.Values.Where(s => Tenancy.Owns(s.Tenant, tenant) && s.ExpiresAt > now).Sum(s => s.Bytes));

    public Task<WorkspaceSnapshotInfo?> RemoveAsync(string snapshotId, CancellationToken cancellationToken) =>
        Task.FromResult(_snapshots.TryRemove(snapshotId, out var removed) ? removed : null);

    public Task<IReadOnlyList<WorkspaceSnapshotInfo>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<WorkspaceSnapshotInfo>>([.. _snapshots.Values.Where(s => s.ExpiresAt <= now).Take(limit)]);
}
