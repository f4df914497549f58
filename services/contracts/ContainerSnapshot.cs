namespace Berth.Contracts;

/// <summary>What the api needs to render an OpenAI <c>container</c> object.</summary>
public sealed record ContainerSnapshot
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    /// <summary>One of <see cref="ContainerStatuses"/>.</summary>
    public required string Status { get; init; }
    public required Guid SessionId { get; init; }
    public string? ExecutorId { get; init; }
    /// <summary>Docker's id for it, on the executor's engine.</summary>
    public string? DockerContainerId { get; init; }
    public int IdleMinutes { get; init; }
    public int? MemoryMb { get; init; }

    /// <summary>The sandbox image it is made from, by the operator's name for it (<c>Images:&lt;n&gt;:Name</c>); null for the default.</summary>
    public string? Image { get; init; }

    /// <summary>The snapshot it was made from, if any (<c>restored_from</c>, a Berth extension).</summary>
    public string? RestoredFrom { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset LastActiveAt { get; init; }

    /// <summary>The tenant whose API key created it; null for objects made before tenants (read as <c>local</c>).</summary>
    public string? Tenant { get; init; }

    /// <summary>The network it was made with; null is none at all.</summary>
    public NetworkPolicySpec? NetworkPolicy { get; init; }

    /// <summary>
    /// Made for a session's first call (a shell tool's <c>container_auto</c> environment), not by
    /// <c>POST /v1/containers</c>. Listed and counted like the others; its record goes when it does.
    /// </summary>
    public bool Auto { get; init; }

    /// <summary>
    /// The skills it was made with (<c>POST /v1/containers</c>'s <c>skills</c>): the model of a
    /// response that names it is told of them, and it is made again with them after it expired.
    /// </summary>
    public IReadOnlyList<ContainerSkillSeed> Skills { get; init; } = [];

    /// <summary>
    /// With <c>Executor:SnapshotOnExpiry</c>, the snapshot its workspace was kept as when it
    /// expired: the next response that names it makes it again from there. Null once it runs again.
    /// </summary>
    public string? KeptAs { get; init; }
}
