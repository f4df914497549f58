namespace Berth.Contracts;

/// <summary>The delivery attempts to one endpoint, newest first. Answered with <see cref="WebhookDeliveryList"/> or <see cref="WebhookEndpointNotFound"/>.</summary>
public sealed record ListWebhookDeliveries(string EndpointId)
{
    /// <summary>The tenant asking, from its API key. A record of another tenant is answered as not found.</summary>
    public string? Tenant { get; init; }
}
