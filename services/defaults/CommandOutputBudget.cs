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

    private static string Cut(string text, int max) =>
        text.Length <= max
            ? text
            : $"{text[..(max / 2)]}\n…[berth: {text.Length - max} characters not stored]…\n{text[^(max / 2)..]}";
}
