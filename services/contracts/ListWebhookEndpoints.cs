namespace Berth.Contracts;

/// <summary>Request for the registered webhook endpoints. Answered with <see cref="WebhookEndpointList"/>.</summary>
public sealed record ListWebhookEndpoints
{
    /// <summary>The tenant asking, from its API key: only its own are listed.</summary>
    public string? Tenant { get; init; }
}
