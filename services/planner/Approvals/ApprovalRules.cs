using System.Text.RegularExpressions;
using Berth.Contracts;
using Berth.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Approvals;

/// <summary>
/// Which shell calls wait for a person's approval: every one under <c>"always"</c>, and one any
/// of whose commands matches the operator's <c>Planner:ApprovalPatterns</c> or the request's own
/// patterns. The operator's apply whatever the request says, so a request can add to them, never
/// lower them.
/// </summary>
internal sealed class ApprovalRules(IOptions<PlannerOptions> options)
{
    private readonly Regex[] _operators = [.. options.Value.ApprovalPatterns.Select(ApprovalPatterns.Create)];

    public bool Needs(ShellCallSpec call, string? mode, IReadOnlyList<string> patterns)
    {
        if (mode == ApprovalModes.Always || ApprovalPatterns.AnyMatches(_operators, call.Commands))
        {
            return true;
        }

        if (mode != ApprovalModes.Patterns)
        {
            return false;
        }

        // The api refuses a bad pattern; one that reaches the planner anyway makes its calls wait rather than run unchecked.
        var compiled = patterns.Select(p => ApprovalPatterns.Problem(p) is null ? ApprovalPatterns.Create(p) : null).ToList();
        return compiled.Contains(null) || ApprovalPatterns.AnyMatches(compiled!, call.Commands);
    }
}
