namespace Berth.Contracts;

/// <summary>
/// Create a session's container now, before any call needs it. Sent to the pool's queue like a
/// first call; the executor that takes it answers <see cref="ContainerProvisioned"/>.
/// </summary>
public sealed record ProvisionContainer
{
    public required Guid SessionId { get; init; }
    public int? IdleMinutes { get; init; }
    public int? MemoryMb { get; init; }

    /// <summary>The sandbox image it is made from, by the operator's name for it (<c>Images:&lt;n&gt;:Name</c>); null for the default.</summary>
    public string? Image { get; init; }

    /// <summary>The archive of a snapshot to unpack in the new container's workspace before it is handed over.</summary>
    public Uri? RestoreFrom { get; init; }

    /// <summary>The network the container is made with; null is none at all.</summary>
    public NetworkPolicySpec? NetworkPolicy { get; init; }

    /// <summary>Skills unpacked at <c>/mnt/skills/&lt;name&gt;</c> when the container is made.</summary>
    public IReadOnlyList<ContainerSkillSeed> Skills { get; init; } = [];
}
