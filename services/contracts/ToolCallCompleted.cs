namespace Berth.Contracts;

/// <summary>
/// An executor ran a shell call. Commands that exit non-zero or time out are data here;
/// <see cref="Error"/> is set only when the sandbox itself could not run them.
/// </summary>
public sealed record ToolCallCompleted
{
    public required Guid SessionId { get; init; }
    public required string ResponseId { get; init; }
    public required string CallId { get; init; }
    public required string ExecutorId { get; init; }
    public string? ContainerId { get; init; }

    /// <summary>When this call made the session's container: how long it may sit idle before it is removed.</summary>
    public int? IdleMinutes { get; init; }
    public required IReadOnlyList<CommandOutput> Outputs { get; init; }
    public int MaxOutputLength { get; init; }
    public string? Error { get; init; }
    /// <summary>With <see cref="Error"/>: <c>container_expired</c>, <c>container_lost</c> or <c>sandbox_error</c>.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>
    /// Output chunks the executor held back instead of sending while the call ran, because it
    /// ended before the first one was due; numbered after any that were sent. The stream shows
    /// them before the call's output item is done.
    /// </summary>
    public IReadOnlyList<ToolCallOutputProduced> HeldChunks { get; init; } = [];
}
