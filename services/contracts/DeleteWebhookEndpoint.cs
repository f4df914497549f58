namespace Berth.Contracts;

/// <summary>Answered with <see cref="WebhookEndpointSnapshot"/> or <see cref="WebhookEndpointNotFound"/>.</summary>
public sealed record DeleteWebhookEndpoint(string EndpointId);
