namespace Berth.Contracts;

public sealed record ResponseEventList
{
    public required string ResponseId { get; init; }
    public required IReadOnlyList<ResponseStreamEvent> Events { get; init; }
}
