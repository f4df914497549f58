namespace Berth.Contracts;

/// <summary>
/// Which executor holds this session, or has taken this call? Published to every executor by one
/// that was handed a session's first call again (a redelivery, after a broker restart or a cut
/// connection) and finds no container for it on its own engine: the executor that took the
/// first delivery may be on another engine, running it. Each executor answers with
/// <see cref="SessionHolderAnswered"/> at the query's response address.
/// </summary>
public sealed record FindSessionHolder
{
    public required Guid QueryId { get; init; }
    public required Guid SessionId { get; init; }
    public required string CallId { get; init; }
    public required string AskedBy { get; init; }
}
