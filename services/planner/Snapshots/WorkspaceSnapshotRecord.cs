using Berth.Contracts;

namespace Berth.Planner.Snapshots;

/// <summary>The record of an archive an executor took: a snapshot asked for, or a workspace kept at expiry.</summary>
internal static class WorkspaceSnapshotRecord
{
    public static WorkspaceSnapshotInfo Of(WorkspaceSnapshotTaken taken, string snapshotId, string containerId, string? tenant, DateTimeOffset createdAt) => new()
    {
        Id = snapshotId,
        ContainerId = containerId,
        Bytes = taken.Bytes,
        CreatedAt = createdAt,
        ExpiresAt = taken.ExpiresAt,
        Tenant = tenant,
        Address = taken.Address,
        Skills = taken.Skills,
    };
}
