namespace Berth.Contracts;

/// <summary>An executor holds the session's container; <see cref="Error"/> says why not, when it does not.</summary>
public sealed record ContainerProvisioned
{
    public required Guid SessionId { get; init; }
    public required string ExecutorId { get; init; }
    public string? ContainerId { get; init; }
    public string? Error { get; init; }
}
