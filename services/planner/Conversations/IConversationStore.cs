using Berth.Contracts;

namespace Berth.Planner.Conversations;

/// <summary>
/// Conversations and their items, in the order they were added. An item is an
/// <see cref="InputMessage"/> with its id, as a response's input items are: what a client sent,
/// or (role <see cref="InputMessage.OutputItem"/>) what a response put out.
/// </summary>
internal interface IConversationStore
{
    Task AddAsync(ConversationSnapshot conversation, IReadOnlyList<InputMessage> items, CancellationToken cancellationToken);

    Task<ConversationSnapshot?> FindAsync(string conversationId, CancellationToken cancellationToken);

    /// <summary>The conversation with its metadata replaced; null if there is none.</summary>
    Task<ConversationSnapshot?> SetMetadataAsync(string conversationId, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken);

    Task SetLastResponseAsync(string conversationId, string responseId, CancellationToken cancellationToken);

    /// <summary>Removes the conversation and its items; the one removed, or null if there was none.</summary>
    Task<ConversationSnapshot?> RemoveAsync(string conversationId, CancellationToken cancellationToken);

    /// <summary>
    /// Appends the items whose ids the conversation does not hold yet, in order, and returns
    /// those: an ending announced twice, or a request delivered again, adds nothing the second time.
    /// </summary>
    Task<IReadOnlyList<InputMessage>> AppendAsync(string conversationId, IReadOnlyList<InputMessage> items, CancellationToken cancellationToken);

    /// <summary>
    /// Items in the order they were added (newest first unless <paramref name="oldestFirst"/>),
    /// from after <paramref name="afterItemId"/> (none if it names no item), at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<InputMessage>> ListAsync(string conversationId, string? afterItemId, int limit, bool oldestFirst, CancellationToken cancellationToken);

    Task<InputMessage?> FindItemAsync(string conversationId, string itemId, CancellationToken cancellationToken);

    Task<bool> RemoveItemAsync(string conversationId, string itemId, CancellationToken cancellationToken);
}
