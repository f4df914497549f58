namespace Berth.Contracts;

public sealed record WebhookEndpointList(IReadOnlyList<WebhookEndpointSnapshot> Endpoints);
