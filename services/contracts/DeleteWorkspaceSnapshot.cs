namespace Berth.Contracts;

/// <summary>Request to delete one snapshot of a container and its archive. Answered with <see cref="WorkspaceSnapshotInfo"/> or <see cref="WorkspaceSnapshotNotFound"/>.</summary>
public sealed record DeleteWorkspaceSnapshot(string ContainerId, string SnapshotId)
{
    public string? Tenant { get; init; }
}
