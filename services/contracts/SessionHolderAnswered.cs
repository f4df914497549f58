namespace Berth.Contracts;

/// <summary>One executor's answer to <see cref="FindSessionHolder"/>: whether it holds the session's container or has taken the call.</summary>
public sealed record SessionHolderAnswered
{
    public required Guid QueryId { get; init; }
    public required string ExecutorId { get; init; }
    public required bool Holds { get; init; }
}
