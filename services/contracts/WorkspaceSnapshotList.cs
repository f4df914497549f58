namespace Berth.Contracts;

public sealed record WorkspaceSnapshotList(IReadOnlyList<WorkspaceSnapshotInfo> Snapshots)
{
    /// <summary>More follow the last one of this page.</summary>
    public bool HasMore { get; init; }
}
