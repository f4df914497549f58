using Berth.Contracts;

namespace Berth.ServiceDefaults;

/// <summary>
/// Caps the output of one shell call across its commands. Each command's streams are cut to its
/// <c>max_output_length</c>, but a call may run many commands: the sum must fit in one bus
/// message and one stored document, and the cut must be visible to whoever reads it.
/// </summary>
public static class CommandOutputBudget
{
    private const int MinimumPerStream = 100;

    public static IReadOnlyList<CommandOutput> Cap(IReadOnlyList<CommandOutput> outputs, int maxChars)
    {
        var total = outputs.Sum(o => (long)o.Stdout.Length + o.Stderr.Length);
        if (total <= maxChars)
        {
            return outputs;
        }

        var perStream = Math.Max(MinimumPerStream, maxChars / Math.Max(1, outputs.Count * 2));
        return [.. outputs.Select(o => o with { Stdout = Cut(o.Stdout, perStream), Stderr = Cut(o.Stderr, perStream) })];
    }

    /// <summary>
    /// The first chunks, up to <paramref name="maxChars"/> of text: the output a quick call held
    /// back for its completion to carry. The rest is dropped, not cut: streams miss a few deltas,
    /// and the call's output item still has it all.
    /// </summary>
    public static IReadOnlyList<ToolCallOutputProduced> Prefix(IReadOnlyList<ToolCallOutputProduced> chunks, int maxChars)
    {
        var chars = 0L;
        var count = 0;
        while (count < chunks.Count && chars + chunks[count].Stdout.Length + chunks[count].Stderr.Length <= maxChars)
        {
            chars += chunks[count].Stdout.Length + chunks[count].Stderr.Length;
            count++;
        }

        return count == chunks.Count ? chunks : [.. chunks.Take(count)];
    }

    private static string Cut(string text, int max) =>
        text.Length <= max
            ? text
            : $"{text[..(max / 2)]}\n…[berth: {text.Length - max} characters not stored]…\n{text[^(max / 2)..]}";
}
