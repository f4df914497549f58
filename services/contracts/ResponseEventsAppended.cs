namespace Berth.Contracts;

/// <summary>
/// Events were added to a response's stream. Every api instance hears this, so whichever one
/// serves the stream can pass them on at once; the stored stream stays the source of truth.
/// </summary>
public sealed record ResponseEventsAppended
{
    public required string ResponseId { get; init; }
    public required IReadOnlyList<ResponseStreamEvent> Events { get; init; }
}
