using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Berth.ScriptedModel;

/// <summary>
/// The default script: each non-empty line of the last user message is a command, called one
/// per turn, in order; once all have run, it answers with what they printed. A line may start
/// with <c>[timeout_ms=N]</c> or <c>[max_output_length=N]</c>, or with <c>[think_ms=N]</c>: the
/// turn that calls it is answered only after N ms, as a slow model would; without a shell tool, a
/// message starting with <c>[think_ms=N]</c> is answered after N ms, and one with
/// <c>[stream_ms=N]</c>, asked to stream, writes its answer a word every N ms; with
/// <c>[stamp_words=N]</c> its streamed answer is N words, each the moment it was written. A line
/// <c>[call_function=NAME] ARGUMENTS</c> calls the client's function NAME with those arguments
/// instead of a command; its output, once the client sends it, counts as that line's result.
/// Every answer says it comes from the scripted model, so nobody mistakes it for a real one.
/// </summary>
public static partial class CommandRunnerScript
{
    public const string Label = "[berth scripted model]";

    /// <summary>How Berth's compactor asks for a summary (Berth.Planner.Model.Compactor.Prompt).</summary>
    public const string CompactionPrompt = "Summarize the conversation above for your own later use";

    /// <summary>How Berth shows the model a compaction's summary (Berth.Planner.Model.Conversation.SummaryHeading).</summary>
    public const string SummaryHeading = "Summary of the earlier part of this conversation";

    public static ScriptedReply Reply(ChatRequest request)
    {
        // Asked to compact: the summary says how many commands have run, counting those of the
        // summary before it, so the script carries on where it was.
        if (request.LastUserText.Contains(CompactionPrompt, StringComparison.Ordinal))
        {
            var ran = RanCount(request.LastUserText) + OutputHeader().Count(request.LastUserText);
            return ScriptedReply.Say($"{Label} Summary: ran {ran} command(s).");
        }

        var lines = request.LastUserText.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (!request.ToolNames.Contains("shell") && !lines.Any(l => FunctionLine().IsMatch(l)))
        {
            var (said, thinkMs, wordMs, stamped) = ParseLine(request.LastUserText.Trim());
            return ScriptedReply.Say($"{Label} No shell tool was offered, so nothing ran. You said: {said.Commands[0]}") with
            {
                Delay = TimeSpan.FromMilliseconds(thinkMs),
                WordDelay = TimeSpan.FromMilliseconds(wordMs),
                StampedWords = stamped,
            };
        }

        var results = request.SinceLastUser.Where(m => m.Role == "tool").ToList();
        var compacted = request.SinceLastUser.Where(m => m.Role == "system" && m.Content.StartsWith(SummaryHeading, StringComparison.Ordinal)).Select(m => RanCount(m.Content)).LastOrDefault();
        var done = compacted + results.Count;
        if (done < lines.Count)
        {
            if (FunctionLine().Match(lines[done]) is { Success: true } function)
            {
                return new ScriptedReply { FunctionCalls = [new ScriptedFunctionCall(function.Groups[1].Value, function.Groups[2].Value)] };
            }

            var (call, think, _, _) = ParseLine(lines[done]);
            return ScriptedReply.Call(call) with { Delay = TimeSpan.FromMilliseconds(think) };
        }

        var calls = request.SinceLastUser.SelectMany(m => m.ToolCalls).ToDictionary(c => c.Id);
        var answer = new StringBuilder($"{Label} Ran {done} command(s).");
        foreach (var result in results)
        {
            if (calls.TryGetValue(result.ToolCallId ?? "", out var called) && called.Name != "shell")
            {
                answer.Append('\n').Append(called.Name).Append(" returned ").Append(result.Content);
                continue;
            }

            var command = calls.TryGetValue(result.ToolCallId ?? "", out var call)
                ? string.Join(" && ", JsonDocument.Parse(call.Arguments).RootElement.GetProperty("commands").EnumerateArray().Select(c => c.GetString()))
                : "?";
            answer.Append("\n$ ").Append(command);

            // A call that did not run (declined by the user) comes back as words, not outputs.
            if (!result.Content.StartsWith('['))
            {
                answer.Append('\n').Append(result.Content);
                continue;
            }

            foreach (var output in JsonDocument.Parse(result.Content).RootElement.EnumerateArray())
            {
                answer.Append('\n').Append(output.GetProperty("stdout").GetString()).Append(output.GetProperty("stderr").GetString());
                var outcome = output.GetProperty("outcome");
                answer.Append(outcome.GetProperty("type").GetString() == "exit"
                    ? $"(exit {outcome.GetProperty("exit_code").GetInt32()})"
                    : "(timed out)");
            }
        }

        return ScriptedReply.Say(answer.ToString());
    }

    private static (ScriptedShellCall Call, int ThinkMs, int WordMs, int StampedWords) ParseLine(string line)
    {
        int? timeout = null, maxOutput = null;
        var think = 0;
        var word = 0;
        var stamped = 0;
        for (var match = Option().Match(line); match.Success; match = Option().Match(line))
        {
            var value = int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            switch (match.Groups[1].Value)
            {
                case "timeout_ms":
                    timeout = value;
                    break;
                case "think_ms":
                    think = value;
                    break;
                case "stream_ms":
                    word = value;
                    break;
                case "stamp_words":
                    stamped = value;
                    break;
                default:
                    maxOutput = value;
                    break;
            }

            line = line[match.Length..].TrimStart();
        }

        return (new ScriptedShellCall([line], timeout, maxOutput), think, word, stamped);
    }

    private static int RanCount(string text) =>
        RanLine().Matches(text) is { Count: > 0 } matches ? int.Parse(matches[^1].Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"ran (\d+) command\(s\)")]
    private static partial Regex RanLine();

    [GeneratedRegex(@"^\[output of call ", RegexOptions.Multiline)]
    private static partial Regex OutputHeader();

    [GeneratedRegex(@"^\[call_function=([a-zA-Z0-9_-]{1,64})\]\s*(.*)$")]
    private static partial Regex FunctionLine();

    [GeneratedRegex(@"^\[(timeout_ms|max_output_length|think_ms|stream_ms|stamp_words)=(\d+)\]\s*")]
    private static partial Regex Option();
}
