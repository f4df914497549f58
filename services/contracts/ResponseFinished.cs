namespace Berth.Contracts;

/// <summary>A response reached a terminal status: completed, failed, cancelled or incomplete.</summary>
public sealed record ResponseFinished
{
    public required Guid SessionId { get; init; }
    public required string ResponseId { get; init; }
    public required string Status { get; init; }
}
