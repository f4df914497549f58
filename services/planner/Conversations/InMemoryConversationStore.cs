using System.Collections.Concurrent;
using Berth.Contracts;

namespace Berth.Planner.Conversations;

/// <summary>The embedded conversation store: in this planner process, like the in-memory response store.</summary>
internal sealed class InMemoryConversationStore : IConversationStore
{
    private readonly ConcurrentDictionary<string, Held> _conversations = new(StringComparer.Ordinal);

    public Task AddAsync(ConversationSnapshot conversation, IReadOnlyList<InputMessage> items, CancellationToken cancellationToken)
    {
        var held = new Held(conversation);
        held.Items.AddRange(items);
        _conversations.TryAdd(conversation.Id, held);
        return Task.CompletedTask;
    }

    public Task<ConversationSnapshot?> FindAsync(string conversationId, CancellationToken cancellationToken) =>
        Task.FromResult(_conversations.TryGetValue(conversationId, out var held) ? held.Conversation : null);

    public Task<ConversationSnapshot?> SetMetadataAsync(string conversationId, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken) =>
        Task.FromResult(Change(conversationId, c => c with { Metadata = metadata }));

    public Task SetLastResponseAsync(string conversationId, string responseId, CancellationToken cancellationToken)
    {
        Change(conversationId, c => c with { LastResponseId = responseId });
        return Task.CompletedTask;
    }

    public Task<ConversationSnapshot?> RemoveAsync(string conversationId, CancellationToken cancellationToken) =>
        Task.FromResult(_conversations.TryRemove(conversationId, out var held) ? held.Conversation : null);

    public Task<IReadOnlyList<InputMessage>> AppendAsync(string conversationId, IReadOnlyList<InputMessage> items, CancellationToken cancellationToken)
    {
        if (!_conversations.TryGetValue(conversationId, out var held))
        {
            return Task.FromResult<IReadOnlyList<InputMessage>>([]);
        }

        lock (held)
        {
            var added = items.Where(item => !held.Items.Any(i => i.Id == item.Id)).DistinctBy(item => item.Id).ToList();
            held.Items.AddRange(added);
            return Task.FromResult<IReadOnlyList<InputMessage>>(added);
        }
    }

    public Task<IReadOnlyList<InputMessage>> ListAsync(string conversationId, string? afterItemId, int limit, bool oldestFirst, CancellationToken cancellationToken)
    {
        if (!_conversations.TryGetValue(conversationId, out var held))
        {
            return Task.FromResult<IReadOnlyList<InputMessage>>([]);
        }

        lock (held)
        {
            var ordered = oldestFirst ? held.Items.ToList() : Enumerable.Reverse(held.Items).ToList();
            var start = 0;
            if (afterItemId is not null)
            {
                var at = ordered.FindIndex(i => i.Id == afterItemId);
                start = at < 0 ? ordered.Count : at + 1;
            }

            return Task.FromResult<IReadOnlyList<InputMessage>>([.. ordered.Skip(start).Take(limit)]);
        }
    }

    public Task<InputMessage?> FindItemAsync(string conversationId, string itemId, CancellationToken cancellationToken)
    {
        if (!_conversations.TryGetValue(conversationId, out var held))
        {
            return Task.FromResult<InputMessage?>(null);
        }

        lock (held)
        {
            return Task.FromResult(held.Items.FirstOrDefault(i => i.Id == itemId));
        }
    }

    public Task<bool> RemoveItemAsync(string conversationId, string itemId, CancellationToken cancellationToken)
    {
        if (!_conversations.TryGetValue(conversationId, out var held))
        {
            return Task.FromResult(false);
        }

        lock (held)
        {
            return Task.FromResult(held.Items.RemoveAll(i => i.Id == itemId) > 0);
        }
    }

    private ConversationSnapshot? Change(string conversationId, Func<ConversationSnapshot, ConversationSnapshot> change)
    {
        if (!_conversations.TryGetValue(conversationId, out var held))
        {
            return null;
        }

        lock (held)
        {
            held.Conversation = change(held.Conversation);
            return held.Conversation;
        }
    }

    private sealed class Held(ConversationSnapshot conversation)
    {
        public ConversationSnapshot Conversation { get; set; } = conversation;

        public List<InputMessage> Items { get; } = [];
    }
}
