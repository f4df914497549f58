namespace Berth.Contracts;

/// <summary>Request for the registered webhook endpoints. Answered with <see cref="WebhookEndpointList"/>.</summary>
public sealed record ListWebhookEndpoints;
