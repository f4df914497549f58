namespace Berth.Contracts;

public sealed record WorkspaceSnapshotNotFound(string SnapshotId);
