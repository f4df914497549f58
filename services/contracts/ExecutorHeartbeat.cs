namespace Berth.Contracts;

/// <summary>An executor is alive. Published every few seconds; silence means it is gone.</summary>
public sealed record ExecutorHeartbeat
{
    public required string ExecutorId { get; init; }
    /// <summary>The most session containers it will hold.</summary>
    public int Capacity { get; init; }
    public int LiveContainers { get; init; }
    public DateTimeOffset SentAt { get; init; }
}
