namespace Berth.Contracts;

/// <summary>
/// A session's container expired and its workspace was kept as a snapshot: the session forgets
/// the container, and its next call makes a new one, restored from the snapshot.
/// </summary>
public sealed record SessionWorkspaceKept
{
    public required Guid SessionId { get; init; }

    /// <summary>The executor whose container it was: a session that has moved on to another container is left alone.</summary>
    public required string ExecutorId { get; init; }

    public required string SnapshotId { get; init; }
    public required Uri Archive { get; init; }

    /// <summary>The archive of the container's skills, kept with its workspace; null when it had none.</summary>
    public Uri? Skills { get; init; }
}
