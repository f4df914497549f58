namespace Berth.Contracts;

/// <summary>
/// Request for one page of a container's snapshots, newest first unless <see cref="OldestFirst"/>.
/// Answered with <see cref="WorkspaceSnapshotList"/> or <see cref="ContainerNotFound"/>.
/// </summary>
public sealed record ListWorkspaceSnapshots(string ContainerId, int Limit)
{
    public string? After { get; init; }
    public bool OldestFirst { get; init; }
    public string? Tenant { get; init; }
}
