using System.Text;
using Berth.Contracts;
using Berth.Planner.Responses;
using Berth.ServiceDefaults;
using OpenAI.Chat;

namespace Berth.Planner.Model;

/// <summary>
/// Compaction (<c>context_management</c>): when a conversation has grown past its threshold,
/// the model is asked to summarise the older part, and a <c>compaction</c> item stands for it
/// from then on (<see cref="Conversation"/> drops what it covers but the user's messages). The
/// newest items, about a quarter of the threshold, stay whole, and a call's output is never
/// kept without its call. The request that asks for the summary is bounded too, so no request
/// a compacting response makes is larger than its threshold.
/// </summary>
internal sealed class Compactor(TokenCounter tokens, CompactionSeal seal)
{
    /// <summary>What the model is asked; the scripted model knows a compaction request by its first words.</summary>
    public const string Prompt = "Summarize the conversation above for your own later use";

    private const string Instructions =
        "You are compacting an agent's working history so that it can carry on in less space. Keep every fact it will need: "
        + "the task, decisions made, files and commands that mattered and what they showed, errors met, and what is left to do. Be brief.";

    /// <summary>An item's text is cut to this many characters in the summary's request.</summary>
    private const int MaxItemChars = 2000;

    /// <summary>The compaction item for this step, and the usage of the call that made it; null when nothing can be compacted.</summary>
    public async Task<(ResponseItem? Item, TokenUsage Usage)> CompactAsync(ChatClient chat, IReadOnlyList<StoredResponse> chain, int step, int threshold,
        CancellationToken cancellationToken)
    {
        var response = chain[^1].Snapshot;
        var (entries, previous, start) = Flatten(chain);
        var boundary = Boundary(entries, start, threshold / 4);
        var covered = entries.Skip(start).Take(boundary - start).Where(e => !e.Kept).ToList();
        if (covered.Count == 0)
        {
            return (null, new TokenUsage(0, 0));
        }

        var id = Ids.Stable("cmp", response.Id, step.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var (summary, usage) = await SummariseAsync(chat, previous?.Text, covered, threshold, cancellationToken);
        return (Item(id, response.Tenant, summary, entries[boundary].Id), usage);
    }

    /// <summary>
    /// <c>POST /v1/responses/compact</c>: one compaction item for all of the chain but its user
    /// messages, with a request for the summary of at most <paramref name="budget"/> tokens.
    /// </summary>
    public async Task<(ResponseItem Item, TokenUsage Usage)> CompactAllAsync(ChatClient chat, IReadOnlyList<StoredResponse> chain, string id, int budget,
        CancellationToken cancellationToken)
    {
        var (entries, previous, start) = Flatten(chain);
        var covered = entries.Skip(start).Where(e => !e.Kept).ToList();
        var (summary, usage) = covered.Count == 0 && previous is null
            ? ("", new TokenUsage(0, 0))
            : await SummariseAsync(chat, previous?.Text, covered, budget, cancellationToken);
        return (Item(id, chain[^1].Snapshot.Tenant, summary, compactsBefore: null), usage);
    }

    private ResponseItem Item(string id, string? tenant, string summary, string? compactsBefore) => new()
    {
        Id = id,
        Type = ResponseItem.Compaction,
        Text = summary,
        EncryptedContent = seal.Seal(Tenants.Tenancy.Of(tenant), summary),
        CompactsBefore = compactsBefore,
    };

    /// <summary>Asks the model for the summary of what <paramref name="covered"/> holds, after the summary in force; the request holds at most three quarters of <paramref name="limit"/>.</summary>
    private async Task<(string Summary, TokenUsage Usage)> SummariseAsync(ChatClient chat, string? previous, List<Entry> covered, int limit, CancellationToken cancellationToken)
    {
        var request = Request(previous, covered, limit * 3 / 4);
        var options = new ChatCompletionOptions { MaxOutputTokenCount = Math.Clamp(limit / 4, 64, 4096) };
        var completion = (await chat.CompleteChatAsync([new SystemChatMessage(Instructions), new UserChatMessage(request)], options, cancellationToken)).Value;
        var summary = string.Concat(completion.Content.Where(part => part.Kind == ChatMessageContentPartKind.Text).Select(part => part.Text));
        return (summary, new TokenUsage(completion.Usage?.InputTokenCount ?? 0, completion.Usage?.OutputTokenCount ?? 0));
    }

    private sealed record Entry(string Id, bool Kept, string? CallId, bool IsCall, string Text, int Tokens);

    /// <summary>The chain's items in the order the model sees them, the compaction in force, and the first item it does not cover.</summary>
    private (List<Entry> Entries, ResponseItem? Previous, int Start) Flatten(IReadOnlyList<StoredResponse> chain)
    {
        var entries = new List<Entry>();
        ResponseItem? previous = null;
        var previousAt = 0;
        foreach (var response in chain)
        {
            var answers = response.Input.Where(i => i.Role == InputMessage.Tool).ToList();
            foreach (var input in answers.Concat(response.Input.Except(answers)))
            {
                if (input.Item is { Type: ResponseItem.Compaction } sent)
                {
                    (previous, previousAt) = (sent, entries.Count);
                    continue;
                }

                if (input.Item is { } item)
                {
                    entries.Add(Of(item));
                    continue;
                }

                var text = input switch
                {
                    { Role: InputMessage.Tool } => $"[output of call {input.CallId}]\n{input.Text}",
                    { Approval: { } decision } => $"[the user {(decision.Approve ? "approved" : "declined")} request {decision.RequestId}]\n{decision.Reason}",
                    _ => $"[{input.Role}]\n{input.Text}",
                };
                entries.Add(new Entry(input.Id ?? "", input.Role is "user" or "system" or "developer", input.CallId, false, text, tokens.Count(text)));
            }

            foreach (var item in response.Snapshot.Output)
            {
                if (item.Type == ResponseItem.Compaction)
                {
                    (previous, previousAt) = (item, entries.Count);
                    continue;
                }

                entries.Add(Of(item));
            }
        }

        var start = previous?.CompactsBefore is { } kept && entries.FindIndex(e => e.Id == kept) is var at and >= 0 ? at : previousAt;
        return (entries, previous, start);
    }

    private Entry Of(ResponseItem item)
    {
        var text = item.Type switch
        {
            ResponseItem.ShellCall => $"[shell call {item.CallId}]\n{string.Join("\n", item.Commands ?? [])}",
            ResponseItem.FunctionCall => $"[function call {item.CallId}: {item.Name}]\n{item.Arguments}",
            ResponseItem.ShellCallOutput => $"[output of call {item.CallId}]\n{ShellOutputJson.Serialize(item.Outputs ?? [])}",
            ResponseItem.ShellApprovalRequest => $"[shell call {item.CallId}, waiting for the user's approval as request {item.Id}]\n{string.Join("\n", item.Commands ?? [])}",
            _ => $"[assistant]\n{item.Text}",
        };
        var isCall = item.Type is ResponseItem.ShellCall or ResponseItem.FunctionCall;
        var isOutput = item.Type == ResponseItem.ShellCallOutput;
        return new Entry(item.Id, false, isCall || isOutput ? item.CallId : null, isCall, text, tokens.Count(text));
    }

    /// <summary>
    /// The first item kept whole: the newest items that hold at most <paramref name="tail"/>
    /// tokens stay, and an output whose call would be covered takes its call along.
    /// </summary>
    private static int Boundary(List<Entry> entries, int start, int tail)
    {
        var boundary = entries.Count;
        var kept = 0;
        while (boundary > start && (entries[boundary - 1].Kept || kept + entries[boundary - 1].Tokens <= tail || boundary == entries.Count))
        {
            boundary--;
            kept += entries[boundary].Kept ? 0 : entries[boundary].Tokens;
        }

        if (boundary < entries.Count && entries[boundary] is { IsCall: false, CallId: { } callId } && entries.FindLastIndex(boundary, e => e.IsCall && e.CallId == callId) is var call and >= 0)
        {
            boundary = Math.Max(start, call);
        }

        return Math.Min(boundary, entries.Count - 1);
    }

    /// <summary>The request for the summary: the summary in force, then the covered items, newest kept first when they do not all fit.</summary>
    private string Request(string? previous, List<Entry> covered, int budget)
    {
        var parts = new List<string>();
        var used = tokens.Count(previous) + tokens.Count(Prompt) + 64;
        foreach (var entry in Enumerable.Reverse(covered))
        {
            // Past the budget, an item is named by its first line only, so the summary still
            // knows it happened.
            var text = entry.Text.Length <= MaxItemChars ? entry.Text : $"{entry.Text[..(MaxItemChars / 2)]}\n[…]\n{entry.Text[^(MaxItemChars / 2)..]}";
            var cost = entry.Text.Length <= MaxItemChars ? entry.Tokens : tokens.Count(text);
            if (used + cost > budget)
            {
                text = $"{entry.Text.Split('\n')[0]} […]";
                cost = tokens.Count(text);
                if (used + cost > budget)
                {
                    break;
                }
            }

            parts.Insert(0, text);
            used += cost;
        }

        var request = new StringBuilder();
        if (previous is not null)
        {
            request.Append("[summary of what came before]\n").Append(previous).Append("\n\n");
        }

        request.AppendJoin("\n\n", parts).Append("\n\n").Append(Prompt).Append(": what was asked, done and found, and what is left to do.");
        return request.ToString();
    }
}
