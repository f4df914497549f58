namespace Berth.Contracts;

/// <summary>A workspace archived: where, how large, and until when the executors' retention keeps it.</summary>
public sealed record WorkspaceSnapshotTaken(Uri Address, long Bytes, DateTimeOffset ExpiresAt)
{
    /// <summary>
    /// The container's skills (<c>/mnt/skills</c>), archived with a workspace kept at expiry or a
    /// fork's starting files when it has any: a container made again from the workspace gets them
    /// from here, as the bundles it was first made with live only as long as payloads in flight.
    /// </summary>
    public Uri? Skills { get; init; }
}
