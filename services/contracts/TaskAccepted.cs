namespace Berth.Contracts;

/// <summary>The planner stored the response and queued it on its session.</summary>
public sealed record TaskAccepted
{
    public required ResponseSnapshot Response { get; init; }
}
