namespace Berth.Contracts;

/// <summary>The delivery attempts to one endpoint, newest first. Answered with <see cref="WebhookDeliveryList"/> or <see cref="WebhookEndpointNotFound"/>.</summary>
public sealed record ListWebhookDeliveries(string EndpointId);
