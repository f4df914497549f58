namespace Berth.Contracts;

/// <summary>A stored response waits its turn on its session. Starts or joins the session saga.</summary>
public sealed record ResponseQueued
{
    public required Guid SessionId { get; init; }
    public required string ResponseId { get; init; }
    public int? MaxToolCalls { get; init; }
    /// <summary>For a response in a container made by <c>POST /v1/containers</c>: where that container is.</summary>
    public string? ExecutorId { get; init; }
    public string? ContainerId { get; init; }

    /// <summary>The running response this one interrupts: it ends <c>cancelled</c>, and this one starts before any other waiting.</summary>
    public string? Interrupts { get; init; }
}
