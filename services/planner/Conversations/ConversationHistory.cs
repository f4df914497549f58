using Berth.Contracts;
using Berth.Planner.Responses;

namespace Berth.Planner.Conversations;

/// <summary>
/// What the model sees of a conversation: its items, read afresh for every model call (a
/// response queued behind another sees what that one added), put before the response as if
/// they were the input of one that came before it.
/// </summary>
internal sealed class ConversationHistory(IConversationStore conversations)
{
    /// <summary>The chain as it is, or, for a response of a conversation, with the conversation's items first.</summary>
    public async Task<IReadOnlyList<StoredResponse>> PrependAsync(IReadOnlyList<StoredResponse> chain, CancellationToken cancellationToken)
    {
        if (chain.Count == 0 || chain[0].Snapshot.ConversationId is not { } conversationId)
        {
            return chain;
        }

        // A conversation deleted since leaves the response what it has of its own.
        var items = await conversations.ListAsync(conversationId, null, int.MaxValue, oldestFirst: true, cancellationToken);
        return [AsResponse(chain[0].Snapshot, items), .. chain];
    }

    /// <summary>The items as the input of a finished response with no output of its own.</summary>
    public static StoredResponse AsResponse(ResponseSnapshot of, IReadOnlyList<InputMessage> items) => new(new ResponseSnapshot
    {
        Id = of.ConversationId!,
        SessionId = of.SessionId,
        Status = ResponseStatuses.Completed,
        Model = of.Model,
    }, items);
}
