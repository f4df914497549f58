namespace Berth.Contracts;

/// <summary>Request for one snapshot of a container. Answered with <see cref="WorkspaceSnapshotInfo"/> or <see cref="WorkspaceSnapshotNotFound"/>.</summary>
public sealed record GetWorkspaceSnapshot(string ContainerId, string SnapshotId)
{
    public string? Tenant { get; init; }
}
