namespace Berth.Contracts;

/// <summary>
/// <c>POST /v1/containers/{id}/snapshots</c>: store the container's workspace now. Answered with
/// <see cref="WorkspaceSnapshotInfo"/>, <see cref="ContainerNotFound"/> or <see cref="TaskRejected"/>.
/// </summary>
public sealed record CreateWorkspaceSnapshot(string ContainerId)
{
    /// <summary>The id the api chose for it (<c>snap_…</c>), so a redelivered request makes no second one.</summary>
    public required string SnapshotId { get; init; }

    public string? Tenant { get; init; }
}
