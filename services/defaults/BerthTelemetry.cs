using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;

namespace Berth.ServiceDefaults;

/// <summary>
/// Berth's own spans and metrics. MassTransit's spans carry the trace across the bus; these add
/// what happened inside each step: the model call, the commands, the containers.
/// </summary>
public static partial class BerthTelemetry
{
    public const string Name = "Berth";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    /// <summary>How much of a command a span keeps: enough to recognise it.</summary>
    public const int MaxCommandChars = 200;

    /// <summary>
    /// A command as a span may show it: cut to <see cref="MaxCommandChars"/>, and with anything
    /// that looks like a secret (API keys, bearer tokens, webhook secrets, <c>*KEY=</c>,
    /// <c>*TOKEN=</c>, <c>*SECRET=</c>, <c>*PASSWORD=</c> assignments) replaced.
    /// </summary>
    public static string SafeCommand(string command)
    {
        var redacted = SecretPattern().Replace(command, match => match.Groups["name"].Success ? $"{match.Groups["name"].Value}=[redacted]" : "[redacted]");
        return redacted.Length <= MaxCommandChars ? redacted : string.Concat(redacted.AsSpan(0, MaxCommandChars), "…");
    }

    /// <summary>
    /// The span event that records a person's answer to a call that waited for approval: on the
    /// call's own span, where the approved call ran or the declined one did not.
    /// </summary>
    public static ActivityEvent ApprovalEvent(Contracts.ApprovalDecision decision) => new("berth.approval", tags: new ActivityTagsCollection
    {
        ["berth.approval.request_id"] = decision.RequestId,
        ["berth.approval.decision"] = decision.Approve ? "approved" : "declined",
        ["berth.approval.decided_by"] = decision.DecidedBy,
        ["berth.approval.decided_at"] = decision.DecidedAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["berth.approval.reason"] = decision.Reason is { Length: > MaxCommandChars } reason ? string.Concat(reason.AsSpan(0, MaxCommandChars), "…") : decision.Reason,
    });

    [GeneratedRegex(
        @"(?<name>[A-Za-z_][A-Za-z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD)[A-Za-z0-9_]*)=[^\s;&|]+" +
        @"|\bsk-[A-Za-z0-9_\-]{8,}" +
        @"|\bwhsec_[A-Za-z0-9+/=]{8,}" +
        @"|\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/\-=]{8,}" +
        @"|\b(?:gh[pousr]_|xox[baprs]-|AKIA)[A-Za-z0-9\-]{8,}",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretPattern();
}
