namespace Berth.Contracts;

public sealed record WebhookEndpointNotFound(string EndpointId);
