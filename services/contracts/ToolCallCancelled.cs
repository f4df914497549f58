namespace Berth.Contracts;

/// <summary>
/// Stop a running shell call: its response was cancelled. Published, because the first call of a
/// session may be running on any executor of the pool; the one running it kills its process group.
/// </summary>
public sealed record ToolCallCancelled
{
    public required Guid SessionId { get; init; }
    public required string CallId { get; init; }
}
