using Berth.Contracts;
using Berth.ServiceDefaults.Models;
using Microsoft.Extensions.Options;
using OpenAI.Chat;

namespace Berth.Planner.Model;

/// <summary>
/// Keeps what is sent to a model inside its context window, where the catalog gives one
/// (<c>Models:&lt;n&gt;:ContextTokens</c>): before a response is accepted, and before each of its
/// model calls, since a run grows with every command's output.
/// </summary>
internal sealed class ContextCheck(TokenCounter tokens, IOptions<ModelCatalog> catalog)
{
    /// <summary>Kept free for the answer when the request sets no <c>max_output_tokens</c>.</summary>
    public const int DefaultAnswerTokens = 1024;

    /// <summary>Whether the catalog gives the model a window, so there is anything to check.</summary>
    public bool Applies(string model) => catalog.Value.Find(model)?.ContextTokens is not null;

    /// <summary>Whether a request (its messages, its tools, the reply's priming) holds more than <paramref name="threshold"/> tokens; tokenized only past the quick upper bound.</summary>
    public bool Exceeds(List<ChatMessage> conversation, ChatCompletionOptions options, int threshold)
    {
        var fixedTokens = TokenCounter.ReplyPriming + tokens.Count(options.Tools);
        return fixedTokens + conversation.Sum(TokenCounter.UpperBound) > threshold && fixedTokens + conversation.Sum(tokens.Count) > threshold;
    }

    /// <summary>The messages to send, and null; or null and why they cannot fit, in words for the client.</summary>
    public (List<ChatMessage>? Messages, string? Problem) Fit(ResponseSnapshot response, List<ChatMessage> conversation, ChatCompletionOptions options)
    {
        if (catalog.Value.Find(response.Model)?.ContextTokens is not { } window)
        {
            return (conversation, null);
        }

        var answer = response.Settings?.MaxOutputTokens ?? DefaultAnswerTokens;
        var fixedTokens = TokenCounter.ReplyPriming + tokens.Count(options.Tools);
        if (fixedTokens + conversation.Sum(TokenCounter.UpperBound) <= window - answer)
        {
            return (conversation, null);
        }

        var truncate = response.Settings?.Truncation == ModelSettings.TruncateAuto;
        var fitted = ContextWindow.Fit(conversation, tokens.Count, fixedTokens, window - answer, truncate);
        if (fitted is not null)
        {
            return (fitted, null);
        }

        var size = fixedTokens + conversation.Sum(tokens.Count);
        var limit = $"the {window} tokens of model '{response.Model}', with {answer} kept for the answer";
        return (null, truncate
            ? $"Your input exceeds the context window of this model: even with the oldest turns dropped, the newest one does not fit in {limit}."
            : $"Your input exceeds the context window of this model: about {size} tokens with the tools, more than {limit}. Shorten the input, or set 'truncation' to 'auto' to drop the oldest turns.");
    }
}
