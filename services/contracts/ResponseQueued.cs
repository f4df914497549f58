namespace Berth.Contracts;

/// <summary>A stored response waits its turn on its session. Starts or joins the session saga.</summary>
public sealed record ResponseQueued
{
    public required Guid SessionId { get; init; }
    public required string ResponseId { get; init; }
    public int? MaxToolCalls { get; init; }
}
