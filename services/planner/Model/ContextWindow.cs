using OpenAI.Chat;

namespace Berth.Planner.Model;

/// <summary>Fits a conversation into a model's context window, as <c>truncation</c> asks.</summary>
internal static class ContextWindow
{
    /// <summary>
    /// The messages that fit in <paramref name="budget"/> tokens beside <paramref name="fixedTokens"/>:
    /// all of them when they fit; with <paramref name="truncate"/>, the oldest turns dropped until
    /// the rest fits, keeping the leading instructions. A turn begins with a user message, so a
    /// call is never parted from its output. Null when it cannot fit: without truncation, or when
    /// the newest turn alone is too large.
    /// </summary>
    public static List<ChatMessage>? Fit(List<ChatMessage> messages, Func<ChatMessage, int> count, int fixedTokens, int budget, bool truncate)
    {
        var sizes = messages.Select(count).ToList();
        var total = fixedTokens + sizes.Sum();
        if (total <= budget)
        {
            return messages;
        }

        if (!truncate)
        {
            return null;
        }

        var head = messages.Count > 0 && messages[0] is SystemChatMessage ? 1 : 0;
        var dropped = 0;
        for (var start = head; start < messages.Count; start++)
        {
            if (start > head && messages[start] is UserChatMessage && total - dropped <= budget)
            {
                return [.. messages.Take(head), .. messages.Skip(start)];
            }

            dropped += sizes[start];
        }

        return null;
    }
}
