namespace Berth.Contracts;

/// <summary>A workspace archived: where, how large, and until when the executors' retention keeps it.</summary>
public sealed record WorkspaceSnapshotTaken(Uri Address, long Bytes, DateTimeOffset ExpiresAt);
