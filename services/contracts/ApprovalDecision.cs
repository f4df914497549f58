namespace Berth.Contracts;

/// <summary>
/// A person's answer to a <c>shell_approval_request</c> (a Berth extension, modelled on the
/// Responses API's <c>mcp_approval_response</c>): kept with the input of the response that gave
/// it, and carried with the approved call so its trace shows who let it run.
/// </summary>
public sealed record ApprovalDecision
{
    /// <summary>The <c>sar_…</c> id of the request answered.</summary>
    public required string RequestId { get; init; }
    public required bool Approve { get; init; }
    public string? Reason { get; init; }

    /// <summary>The tenant whose API key answered; filled in by the planner when the response is stored.</summary>
    public string? DecidedBy { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
}
