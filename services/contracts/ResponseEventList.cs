namespace Berth.Contracts;

public sealed record ResponseEventList
{
    public required string ResponseId { get; init; }
    public required IReadOnlyList<ResponseStreamEvent> Events { get; init; }

    /// <summary>Set when the page was too large to travel in the reply: it waits in the shared payload store as JSON, and <see cref="Events"/> is empty.</summary>
    public Uri? EventsAddress { get; init; }

    /// <summary>The page was cut short of its limit to keep the reply small; more events follow it.</summary>
    public bool HasMore { get; init; }
}
