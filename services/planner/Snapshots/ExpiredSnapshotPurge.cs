using Berth.Contracts;
using Berth.Planner.Expiry;
using Berth.ServiceDefaults.Payloads;

namespace Berth.Planner.Snapshots;

/// <summary>Deletes snapshots past their retention (<c>Executor:SnapshotRetentionDays</c>): the record, then the archive (and the skills archived with it).</summary>
internal sealed class ExpiredSnapshotPurge(IWorkspaceSnapshotStore store, PayloadStore payloads, TimeProvider time, ILogger<ExpiredSnapshotPurge> logger)
    : ExpiredRecordPurge<WorkspaceSnapshotInfo>(payloads, time, logger)
{
    protected override string What => "workspace snapshot(s) past their retention";

    protected override Task<IReadOnlyList<WorkspaceSnapshotInfo>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        store.ExpiredAsync(now, limit, cancellationToken);

    protected override async Task<bool> RemoveAsync(WorkspaceSnapshotInfo record, CancellationToken cancellationToken) =>
        await store.RemoveAsync(record.Id, cancellationToken) is not null;

    protected override IEnumerable<Uri> BytesOf(WorkspaceSnapshotInfo record) => record.Skills is { } skills ? [record.Address, skills] : [record.Address];
}
