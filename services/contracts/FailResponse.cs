namespace Berth.Contracts;

/// <summary>
/// Tells a session to end one of its responses <c>failed</c> with this error: the planner's
/// watchdog sends it for a response past its deadline, or one whose step broke past its retries.
/// A response that has finished already is left as it is.
/// </summary>
public sealed record FailResponse
{
    public required Guid SessionId { get; init; }
    public required string ResponseId { get; init; }
    public required string Code { get; init; }
    public required string Message { get; init; }
}
