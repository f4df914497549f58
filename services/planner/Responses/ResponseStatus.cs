namespace Berth.Planner.Responses;

/// <summary>OpenAI's response statuses, as they appear on the wire.</summary>
public static class ResponseStatus
{
    public const string Queued = "queued";
    public const string InProgress = "in_progress";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string Incomplete = "incomplete";
}
