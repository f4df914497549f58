namespace Berth.Contracts;

/// <summary>
/// Run one shell call in the session's container. Sent to the shared executor queue until an
/// executor holds the session's container, then to that executor's own queue.
/// </summary>
public sealed record ToolCallRequested
{
    public required Guid SessionId { get; init; }
    public required string ResponseId { get; init; }
    public required string CallId { get; init; }
    public required IReadOnlyList<string> Commands { get; init; }
    public int? TimeoutMs { get; init; }
    public int? MaxOutputLength { get; init; }
    /// <summary>
    /// The container the session already has, if any. An executor that no longer finds it
    /// (expired, removed) says so with <c>container_expired</c> rather than starting an empty one.
    /// </summary>
    public string? ContainerId { get; init; }

    /// <summary>The network the session's container is made with; null is none at all. A container made with another policy is not reused.</summary>
    public NetworkPolicySpec? NetworkPolicy { get; init; }

    /// <summary>The memory the session's container is made with, in megabytes; null for the executor's default. Used only when the container is made.</summary>
    public int? MemoryMb { get; init; }

    /// <summary>The sandbox image the session's container is made from, by the operator's name for it; null for the default. Used only when the container is made.</summary>
    public string? Image { get; init; }

    /// <summary>A workspace archive to unpack in the session's container when it is made (a fork's starting files); null for none.</summary>
    public Uri? RestoreFrom { get; init; }

    /// <summary>The skills archived with <see cref="RestoreFrom"/>: unpacked in place of <see cref="Skills"/>' bundles, which may be gone by then.</summary>
    public Uri? RestoreSkillsFrom { get; init; }

    /// <summary>
    /// The idle limit of the session's container when it is made, in minutes; null for the
    /// executor's own. Set for a container of <c>POST /v1/containers</c> made again after it expired.
    /// </summary>
    public int? IdleMinutes { get; init; }

    /// <summary>Files copied into the session's container when it is made, before the commands run; empty once it has one.</summary>
    public IReadOnlyList<ContainerFileSeed> Files { get; init; } = [];

    /// <summary>Skills unpacked in the session's container when it is made, before the commands run; empty once it has one.</summary>
    public IReadOnlyList<ContainerSkillSeed> Skills { get; init; } = [];

    /// <summary>The person's approval this call waited for, if it needed one: its trace records who gave it when.</summary>
    public ApprovalDecision? Approval { get; init; }
}
