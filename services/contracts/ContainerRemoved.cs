namespace Berth.Contracts;

/// <summary>A session's container is gone: <see cref="ContainerStatuses.Expired"/> (idle too long) or <see cref="ContainerStatuses.Deleted"/>.</summary>
public sealed record ContainerRemoved
{
    public required Guid SessionId { get; init; }
    public required string ExecutorId { get; init; }
    public required string Reason { get; init; }

    /// <summary>
    /// With <c>Executor:SnapshotOnExpiry</c>, the workspace of an expired container, archived just
    /// before it was removed: the session's next call gets a new container restored from it.
    /// </summary>
    public WorkspaceSnapshotTaken? Kept { get; init; }
}
