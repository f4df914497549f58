namespace Berth.Contracts;

/// <summary>
/// Sent by the planner to the executor that holds the session's container: archive its workspace
/// into the shared payload store. Answered with <see cref="WorkspaceSnapshotTaken"/> or <see cref="ContainerFileFailed"/>.
/// </summary>
public sealed record TakeWorkspaceSnapshot(Guid SessionId)
{
    /// <summary>The most the archive may hold: the tenant's room left, within the executor's own cap.</summary>
    public long MaxBytes { get; init; }

    /// <summary>For a fork's starting files: stored for the snapshots' retention and then deleted by the store, as nothing records them.</summary>
    public bool Passing { get; init; }

    /// <summary>Archive the container's skills too (<see cref="WorkspaceSnapshotTaken.Skills"/>): for a fork, whose container is made with them.</summary>
    public bool WithSkills { get; init; }
}
