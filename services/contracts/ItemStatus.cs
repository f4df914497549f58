namespace Berth.Contracts;

/// <summary>OpenAI's statuses of an output item.</summary>
public static class ItemStatus
{
    public const string InProgress = "in_progress";
    public const string Completed = "completed";
    public const string Incomplete = "incomplete";
}
