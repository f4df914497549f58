namespace Berth.Contracts;

/// <summary>A registered webhook receiver. <see cref="Secret"/> is filled only in the answer that creates it.</summary>
public sealed record WebhookEndpointSnapshot
{
    public required string Id { get; init; }
    public required string Url { get; init; }
    public IReadOnlyList<string> Events { get; init; } = [];
    public string? Secret { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The tenant it belongs to and hears; null for an operator's endpoint from configuration, which hears every tenant.</summary>
    public string? Tenant { get; init; }
}
