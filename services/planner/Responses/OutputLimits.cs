using Berth.Contracts;

namespace Berth.Planner.Responses;

/// <summary>How much text a response, or one of its stream events, holds.</summary>
internal static class OutputLimits
{
    /// <summary>The characters of text a response holds: its messages and its commands' output.</summary>
    public static long TextChars(ResponseSnapshot response) => response.Output.Sum(TextChars);

    /// <summary>The characters of text a stream event holds, with its item's.</summary>
    public static long TextChars(ResponseStreamEvent e) =>
        (long)(e.Text?.Length ?? 0) + (e.Stdout?.Length ?? 0) + (e.Stderr?.Length ?? 0) + (e.Item is { } item ? TextChars(item) : 0);

    private static long TextChars(ResponseItem item) =>
        (long)(item.Text?.Length ?? 0) + (item.Outputs ?? []).Sum(o => (long)o.Stdout.Length + o.Stderr.Length);
}
