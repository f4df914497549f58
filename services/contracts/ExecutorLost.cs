namespace Berth.Contracts;

/// <summary>
/// An executor stopped sending heartbeats. The sessions whose containers it held cannot run
/// anything more: a call in flight ends, and the response fails with <c>container_lost</c>.
/// </summary>
public sealed record ExecutorLost
{
    public required string ExecutorId { get; init; }
    public DateTimeOffset? LastSeenAt { get; init; }
}
