namespace Berth.Contracts;

/// <summary>The planner refused a task before queueing it, for a reason the client can fix.</summary>
public sealed record TaskRejected
{
    public required string ResponseId { get; init; }
    public required string Code { get; init; }
    public required string Message { get; init; }
    public string? Param { get; init; }
}
