namespace Berth.Contracts;

/// <summary>A session's container is gone: <c>expired</c> (idle too long) or <c>deleted</c>.</summary>
public sealed record ContainerRemoved
{
    public required Guid SessionId { get; init; }
    public required string ExecutorId { get; init; }
    public required string Reason { get; init; }
}
