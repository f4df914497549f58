namespace Berth.Contracts;

public sealed record WebhookDeliveryList(IReadOnlyList<WebhookDeliveryAttempt> Attempts);
