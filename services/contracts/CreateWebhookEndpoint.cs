namespace Berth.Contracts;

/// <summary><c>POST /v1/webhook_endpoints</c>. Answered with <see cref="WebhookEndpointSnapshot"/> (with its secret) or <see cref="TaskRejected"/>.</summary>
public sealed record CreateWebhookEndpoint
{
    public required string EndpointId { get; init; }
    public required string Url { get; init; }
    /// <summary>Event types to send; empty means all of them.</summary>
    public IReadOnlyList<string> Events { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The tenant whose API key sent it: the endpoint hears only that tenant's responses.</summary>
    public string? Tenant { get; init; }
}
