namespace Berth.Contracts;

/// <summary>An executor is alive. Published every few seconds; silence means it is gone.</summary>
public sealed record ExecutorHeartbeat
{
    public required string ExecutorId { get; init; }
    /// <summary>The most session containers it will hold.</summary>
    public int Capacity { get; init; }
    public int LiveContainers { get; init; }
    public DateTimeOffset SentAt { get; init; }

    /// <summary>
    /// The Docker engine its containers run on (a random id the first executor on that engine
    /// leaves there). Executors on one engine see each other's containers; a session's container
    /// on another engine can only be found by asking its executor. Null from executors before it.
    /// </summary>
    public string? EngineId { get; init; }

    /// <summary>
    /// The sandbox images it serves, by the operator's names for them: the default, and each
    /// listed image it found on its engine with what Berth needs. Null from executors before
    /// images could be chosen, which serve the default only.
    /// </summary>
    public IReadOnlyList<string>? Images { get; init; }
}
