using System.Diagnostics;
using Berth.Contracts;
using Berth.Planner.Model;
using Berth.Planner.Responses;
using OpenAI.Chat;

namespace Berth.Bench;

/// <summary>
/// What keeping a conversation inside a model's window costs the planner at each model call:
/// counting a long agent run's tokens, and fitting it with <c>truncation: "auto"</c>. Beside the
/// cost of a model call (seconds), these are the figures to compare.
/// </summary>
public static class ContextBench
{
    public const string Section = "context window";

    public static void Run(BenchOptions options, Table table)
    {
        var tokens = new TokenCounter();
        var conversation = Conversation.Build(LongRun(turns: 40, outputBytes: 1 << 20));
        var chars = conversation.Sum(m => m.Content.Sum(p => p.Text?.Length ?? 0));

        // The first count loads the encoding's vocabulary; it is timed apart.
        var load = Stopwatch.StartNew();
        var total = conversation.Sum(tokens.Count);
        table.Add(Section, Once($"first count, loading o200k_base ({chars / 1024} KiB, {total} tokens)", load.Elapsed));

        var rounds = options.Quick ? 3 : 20;
        var bound = new Timings("bound it by its UTF-8 bytes, as a run far inside its window is checked");
        var count = new Timings($"count a 40-turn run with 1 MiB of command output ({total} tokens)");
        var fit = new Timings("fit it into 32k tokens, truncation auto");
        for (var i = 0; i < rounds; i++)
        {
            var clock = Stopwatch.StartNew();
            _ = conversation.Sum(TokenCounter.UpperBound);
            bound.Add(clock.Elapsed);

            clock.Restart();
            _ = conversation.Sum(tokens.Count);
            count.Add(clock.Elapsed);

            clock.Restart();
            _ = ContextWindow.Fit(conversation, tokens.Count, 0, 32_000, truncate: true) ?? throw new InvalidOperationException("The newest turn should fit.");
            fit.Add(clock.Elapsed);
        }

        table.Add(Section, bound);
        table.Add(Section, count);
        table.Add(Section, fit);
    }

    private static Timings Once(string name, TimeSpan elapsed)
    {
        var timings = new Timings(name);
        timings.Add(elapsed);
        return timings;
    }

    /// <summary>A chain of responses, each a question and one shell call with its share of the output, as a long agent run leaves.</summary>
    private static List<StoredResponse> LongRun(int turns, int outputBytes)
    {
        var random = new Random(7);
        var line = string.Concat(Enumerable.Range(0, 80).Select(_ => (char)random.Next('a', 'z' + 1)));
        var output = string.Join('\n', Enumerable.Repeat(line, outputBytes / turns / (line.Length + 1)));
        return [.. Enumerable.Range(0, turns).Select(i => new StoredResponse(new ResponseSnapshot
        {
            Id = $"resp_{i}",
            PreviousResponseId = i == 0 ? null : $"resp_{i - 1}",
            SessionId = Guid.Empty,
            Status = ResponseStatuses.Completed,
            Model = "m",
            Output =
            [
                new ResponseItem { Id = $"sh_{i}", Type = ResponseItem.ShellCall, CallId = $"call_{i}", Commands = [$"cat part{i}.log"] },
                new ResponseItem { Id = $"sho_{i}", Type = ResponseItem.ShellCallOutput, CallId = $"call_{i}", Outputs = [new CommandOutput { Stdout = output, ExitCode = 0 }] },
                new ResponseItem { Id = $"msg_{i}", Type = ResponseItem.Message, Text = $"part {i} read" },
            ],
        }, [new InputMessage("user", $"look at part {i}")]))];
    }
}
