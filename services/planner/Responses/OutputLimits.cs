using Berth.Contracts;

namespace Berth.Planner.Responses;

/// <summary>
/// Caps what one shell call stores. Each command's streams are already cut to its
/// <c>max_output_length</c> by the executor, but a call may run many commands; the sum must stay
/// far below MongoDB's 16 MB document limit, and the cut must be visible to whoever reads it.
/// </summary>
public static class OutputLimits
{
    private const int MinimumPerStream = 100;

    public static IReadOnlyList<CommandOutput> CapForStorage(IReadOnlyList<CommandOutput> outputs, int maxChars)
    {
        var total = outputs.Sum(o => (long)o.Stdout.Length + o.Stderr.Length);
        if (total <= maxChars)
        {
            return outputs;
        }

        var perStream = Math.Max(MinimumPerStream, maxChars / Math.Max(1, outputs.Count * 2));
        return [.. outputs.Select(o => o with { Stdout = Cut(o.Stdout, perStream), Stderr = Cut(o.Stderr, perStream) })];
    }

    /// <summary>The characters of text a response holds: its messages and its commands' output.</summary>
    public static long TextChars(ResponseSnapshot response) =>
        response.Output.Sum(item => (long)(item.Text?.Length ?? 0) + (item.Outputs ?? []).Sum(o => (long)o.Stdout.Length + o.Stderr.Length));

    private static string Cut(string text, int max) =>
        text.Length <= max
            ? text
            : $"{text[..(max / 2)]}\n…[berth: {text.Length - max} characters not stored]…\n{text[^(max / 2)..]}";
}
