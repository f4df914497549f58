namespace Berth.Contracts;

/// <summary>
/// The shell tool's <c>require_approval</c> (a Berth extension): which calls wait for a person's
/// approval before they run. The operator's patterns (<c>Planner:ApprovalPatterns</c>) apply on
/// top of any of these.
/// </summary>
public static class ApprovalModes
{
    /// <summary>No call waits, unless the operator's patterns say so (the default).</summary>
    public const string Never = "never";

    /// <summary>Every call waits.</summary>
    public const string Always = "always";

    /// <summary>A call waits when one of its commands matches one of the request's patterns (<c>{"patterns": [...]}</c>).</summary>
    public const string Patterns = "patterns";
}
