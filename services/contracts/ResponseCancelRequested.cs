namespace Berth.Contracts;

/// <summary>A client asked to stop a response. Its session ends it <c>cancelled</c> if it has not finished.</summary>
public sealed record ResponseCancelRequested
{
    public required Guid SessionId { get; init; }
    public required string ResponseId { get; init; }
}
