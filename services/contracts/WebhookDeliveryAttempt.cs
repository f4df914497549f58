namespace Berth.Contracts;

/// <summary>One try at delivering one event: <c>delivered</c>, <c>retrying</c> or <c>dead</c> (given up, kept here to be seen).</summary>
public sealed record WebhookDeliveryAttempt
{
    public required string EventId { get; init; }
    public required string Type { get; init; }
    public required string ResponseId { get; init; }
    public int Attempt { get; init; }
    public int? StatusCode { get; init; }
    public string? Error { get; init; }
    public required string Outcome { get; init; }
    public DateTimeOffset At { get; init; }
}
