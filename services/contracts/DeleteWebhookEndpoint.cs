namespace Berth.Contracts;

/// <summary>Answered with <see cref="WebhookEndpointSnapshot"/> or <see cref="WebhookEndpointNotFound"/>.</summary>
public sealed record DeleteWebhookEndpoint(string EndpointId)
{
    /// <summary>The tenant asking, from its API key. A record of another tenant is answered as not found.</summary>
    public string? Tenant { get; init; }
}
