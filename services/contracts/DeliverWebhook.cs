namespace Berth.Contracts;

/// <summary>Deliver one event to one endpoint. The event id stays the same on every attempt (<c>webhook-id</c>).</summary>
public sealed record DeliverWebhook
{
    public required string EndpointId { get; init; }
    public required string EventId { get; init; }
    public required string Type { get; init; }
    public required string ResponseId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public int Attempt { get; init; } = 1;
}
