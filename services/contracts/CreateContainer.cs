namespace Berth.Contracts;

/// <summary>
/// <c>POST /v1/containers</c>: a container made ahead of any response, to run responses in by
/// <c>container_reference</c>. Answered with <see cref="ContainerSnapshot"/> or <see cref="TaskRejected"/>.
/// </summary>
public sealed record CreateContainer
{
    public required string ContainerId { get; init; }
    public required string Name { get; init; }
    public int IdleMinutes { get; init; } = 20;
    public int? MemoryMb { get; init; }

    /// <summary>The sandbox image it is made from, by the operator's name for it (<c>Images:&lt;n&gt;:Name</c>); null for the default.</summary>
    public string? Image { get; init; }

    /// <summary><c>from_snapshot</c> (a Berth extension): the snapshot whose files the new container starts with.</summary>
    public string? FromSnapshot { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The tenant whose API key sent it; what it creates belongs to that tenant.</summary>
    public string? Tenant { get; init; }

    /// <summary>The network the container is made with; null is none at all.</summary>
    public NetworkPolicySpec? NetworkPolicy { get; init; }

    /// <summary>Skills unpacked at <c>/mnt/skills/&lt;name&gt;</c> when the container is made.</summary>
    public IReadOnlyList<ContainerSkillSeed> Skills { get; init; } = [];
}
