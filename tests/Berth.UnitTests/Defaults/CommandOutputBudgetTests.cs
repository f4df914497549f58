using Berth.Contracts;
using Berth.ServiceDefaults;

namespace Berth.UnitTests.Defaults;

/// <summary>One shell call's output across its commands: within one message, and visibly cut when it is not.</summary>
public sealed class CommandOutputBudgetTests
{
    [Fact]
    public void Should_cut_every_stream_to_its_share_with_a_marker_when_many_commands_print_more_than_the_budget()
    {
        var outputs = Enumerable.Range(0, 20).Select(_ => new CommandOutput { Stdout = new string('o', 1_048_576), Stderr = new string('e', 1_048_576) }).ToList();

        var capped = CommandOutputBudget.Cap(outputs, 2_000_000);

        Assert.Equal(20, capped.Count);
        Assert.True(capped.Sum(o => (long)o.Stdout.Length + o.Stderr.Length) <= 2_000_000 + (40 * 100), "the cut output stays within the budget, markers aside");
        Assert.All(capped, o => Assert.Contains("characters not stored", o.Stdout, StringComparison.Ordinal));
        Assert.All(capped, o => Assert.StartsWith("ooo", o.Stdout, StringComparison.Ordinal));
    }

    [Fact]
    public void Should_leave_output_untouched_when_it_fits_the_budget()
    {
        IReadOnlyList<CommandOutput> outputs = [new CommandOutput { Stdout = "fits", Stderr = "" }];

        Assert.Same(outputs, CommandOutputBudget.Cap(outputs, 1_000));
    }

    [Fact]
    public void Should_keep_the_first_held_chunks_in_order_and_drop_the_rest_when_they_exceed_the_budget()
    {
        var chunks = Enumerable.Range(0, 10).Select(i => new ToolCallOutputProduced
        {
            SessionId = Guid.Empty,
            ResponseId = "resp",
            CallId = "call",
            Chunk = i,
            CommandIndex = i,
            Stdout = new string('x', 300_000),
        }).ToList();

        var kept = CommandOutputBudget.Prefix(chunks, 1_000_000);

        Assert.Equal([0, 1, 2], kept.Select(c => c.Chunk));
    }
}
