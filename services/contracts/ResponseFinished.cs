namespace Berth.Contracts;

/// <summary>A response reached a terminal status: completed, failed, cancelled or incomplete.</summary>
public sealed record ResponseFinished
{
    public required Guid SessionId { get; init; }
    public required string ResponseId { get; init; }
    public required string Status { get; init; }

    /// <summary>
    /// The finished response itself, when its text is small enough to send to every api
    /// instance; a request waiting for it then answers without asking the planner again. Null
    /// for a large response: the waiting request reads it from the planner.
    /// </summary>
    public ResponseSnapshot? Response { get; init; }
}
