using System.Text.Json.Serialization;
using Berth.Contracts;

namespace Berth.Api.Containers;

/// <summary>OpenAI's <c>container</c> object.</summary>
internal sealed record ContainerObject
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string ObjectType => "container";

    public required long CreatedAt { get; init; }

    public required string Status { get; init; }

    public required ContainerExpiry ExpiresAfter { get; init; }

    public required long LastActiveAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MemoryLimit { get; init; }

    public required string Name { get; init; }

    public required NetworkPolicyObject NetworkPolicy { get; init; }

    /// <summary>The sandbox image it was made from (a Berth extension), when not the default.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Image { get; init; }

    /// <summary>The snapshot it was made from (a Berth extension), if any.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RestoredFrom { get; init; }

    public static ContainerObject From(ContainerSnapshot container) => new()
    {
        Id = container.Id,
        CreatedAt = container.CreatedAt.ToUnixTimeSeconds(),
        Status = container.Status,
        ExpiresAfter = new ContainerExpiry("last_active_at", container.IdleMinutes),
        LastActiveAt = container.LastActiveAt.ToUnixTimeSeconds(),
        MemoryLimit = container.MemoryMb is { } memory ? $"{memory / 1024}g" : null,
        Name = container.Name,
        NetworkPolicy = NetworkPolicyObject.From(container.NetworkPolicy ?? new NetworkPolicySpec()),
        Image = container.Image,
        RestoredFrom = container.RestoredFrom,
    };
}

/// <summary>A container expires this many minutes after its <c>anchor</c>.</summary>
internal sealed record ContainerExpiry(string Anchor, int Minutes);

/// <summary>A container's <c>network_policy</c>: <c>disabled</c>, or an <c>allowlist</c> of domains.</summary>
internal sealed record NetworkPolicyObject(string Type)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? AllowedDomains { get; init; }

    public static NetworkPolicyObject From(NetworkPolicySpec policy) =>
        new(policy.Type) { AllowedDomains = policy.Type == NetworkPolicySpec.Allowlist ? policy.AllowedDomains : null };
}
