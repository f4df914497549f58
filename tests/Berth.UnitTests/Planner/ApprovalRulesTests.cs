using System.Diagnostics;
using Berth.Contracts;
using Berth.Planner;
using Berth.Planner.Approvals;
using Microsoft.Extensions.Options;

namespace Berth.UnitTests.Planner;

public sealed class ApprovalRulesTests
{
    private static ApprovalRules Rules(params string[] operators) => new(Options.Create(new PlannerOptions { ApprovalPatterns = [.. operators] }));

    private static ShellCallSpec Call(params string[] commands) => new() { CallId = "call-1", Commands = commands };

    [Fact]
    public void Should_need_approval_when_any_command_matches_any_of_the_requests_patterns()
    {
        var rules = Rules();
        string[] patterns = ["^git push", @"\bcurl\b"];

        Assert.True(rules.Needs(Call("ls", "git push origin main"), ApprovalModes.Patterns, patterns));
        Assert.True(rules.Needs(Call("curl -s example.test"), ApprovalModes.Patterns, patterns));
        Assert.False(rules.Needs(Call("echo git push", "curling"), ApprovalModes.Patterns, patterns));
        Assert.False(rules.Needs(Call("git push"), ApprovalModes.Never, patterns));
        Assert.True(rules.Needs(Call("true"), ApprovalModes.Always, []));
    }

    [Theory]
    [InlineData(ApprovalModes.Never)]
    [InlineData(ApprovalModes.Patterns)]
    [InlineData(null)]
    public void Should_need_approval_for_the_operators_patterns_whatever_the_request_says(string? mode)
    {
        var rules = Rules(@"\bshutdown\b");

        Assert.True(rules.Needs(Call("sudo shutdown now"), mode, ["^nothing-matches$"]));
        Assert.False(rules.Needs(Call("uptime"), mode, ["^nothing-matches$"]));
    }

    [Fact]
    public void Should_need_approval_rather_than_hang_when_a_pattern_backtracks_catastrophically()
    {
        var rules = Rules();
        var clock = Stopwatch.StartNew();

        var needs = rules.Needs(Call(new string('a', 40) + "!"), ApprovalModes.Patterns, ["^(a+)+$"]);

        Assert.True(needs);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Should_need_approval_when_a_pattern_that_is_not_valid_reaches_the_planner()
    {
        Assert.True(Rules().Needs(Call("ls"), ApprovalModes.Patterns, ["(unclosed"]));
    }

    [Fact]
    public void Should_refuse_to_start_when_an_operators_pattern_is_not_valid()
    {
        var options = new PlannerOptions { ApprovalPatterns = ["ok", "(unclosed"] };

        var problems = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Contains(problems, p => p.ErrorMessage!.StartsWith("Planner:ApprovalPatterns:1:", StringComparison.Ordinal));
    }
}
