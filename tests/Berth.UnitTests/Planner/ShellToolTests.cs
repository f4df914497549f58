using Berth.Contracts;
using Berth.Planner.Model;

namespace Berth.UnitTests.Planner;

public sealed class ShellToolTests
{
    [Fact]
    public void Should_read_commands_and_limits_when_the_arguments_are_valid()
    {
        var (call, problem) = ShellTool.Parse("c", BinaryData.FromString("""{"commands":["ls","pwd"],"timeout_ms":500,"max_output_length":20}"""));

        Assert.Null(problem);
        Assert.Equal(["ls", "pwd"], call!.Commands);
        Assert.Equal(500, call.TimeoutMs);
        Assert.Equal(20, call.MaxOutputLength);
    }

    [Fact]
    public void Should_take_a_lone_string_as_one_command()
    {
        var (call, _) = ShellTool.Parse("c", BinaryData.FromString("""{"commands":"ls -la"}"""));
        Assert.Equal(["ls -la"], call!.Commands);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"command":"ls"}""")]
    [InlineData("""{"commands":[]}""")]
    [InlineData("""{"commands":[1,2]}""")]
    public void Should_explain_the_problem_when_the_arguments_cannot_run(string arguments)
    {
        var (call, problem) = ShellTool.Parse("c", BinaryData.FromString(arguments));

        Assert.Null(call);
        Assert.False(string.IsNullOrWhiteSpace(problem));
    }

    [Fact]
    public void Should_tell_the_model_its_container_has_no_network_or_which_domains_it_may_reach()
    {
        var allowlist = new NetworkPolicySpec { Type = NetworkPolicySpec.Allowlist, AllowedDomains = ["pypi.org", "*.pythonhosted.org"] };

        Assert.EndsWith("There is no network.", ShellTool.Describe(null), StringComparison.Ordinal);
        Assert.DoesNotContain("no network", ShellTool.Describe(allowlist), StringComparison.Ordinal);
        Assert.Contains("to these domains only: pypi.org, *.pythonhosted.org.", ShellTool.Describe(allowlist), StringComparison.Ordinal);
        Assert.EndsWith("There is no network.", ShellTool.Describe(new NetworkPolicySpec { Type = NetworkPolicySpec.Disabled }), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_name_each_skill_its_path_and_description_when_the_container_has_skills()
    {
        var described = ShellTool.Describe(null, [new ContainerSkillSeed("csv-tools", "Reads and cleans CSV files.", new Uri("urn:x"))]);

        Assert.Contains("- csv-tools at /mnt/skills/csv-tools: Reads and cleans CSV files.", described, StringComparison.Ordinal);
        Assert.Contains("SKILL.md", described, StringComparison.Ordinal);
        Assert.DoesNotContain("Skills", ShellTool.Describe(null, []), StringComparison.Ordinal);
    }
}
