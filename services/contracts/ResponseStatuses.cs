namespace Berth.Contracts;

/// <summary>A response's statuses, as OpenAI's Responses API names them.</summary>
public static class ResponseStatuses
{
    public const string Queued = "queued";
    public const string InProgress = "in_progress";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string Incomplete = "incomplete";

    /// <summary>Whether nothing more happens to a response in this status.</summary>
    public static bool IsTerminal(string? status) => status is Completed or Failed or Cancelled or Incomplete;
}
