using Berth.Contracts;
using Berth.Planner.Conversations;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;

namespace Berth.Planner.Mongo;

/// <summary>
/// Conversations in MongoDB: <c>conversations</c>, and their items in <c>conversation_items</c>,
/// one document each, placed by a sequence number the conversation hands out. An item's
/// document id is the conversation's and the item's together, so an item added twice is kept once.
/// </summary>
internal sealed class MongoConversationStore(IMongoDatabase database) : IConversationStore
{
    public const string Collection = "conversations";
    public const string ItemsCollection = "conversation_items";

    private readonly IMongoCollection<ConversationDocument> _conversations = database.GetCollection<ConversationDocument>(Collection);
    private readonly IMongoCollection<ConversationItemDocument> _items = database.GetCollection<ConversationItemDocument>(ItemsCollection);

    public async Task AddAsync(ConversationSnapshot conversation, IReadOnlyList<InputMessage> items, CancellationToken cancellationToken)
    {
        try
        {
            await _conversations.InsertOneAsync(ConversationDocument.From(conversation), cancellationToken: cancellationToken);
        }
        catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            // A create delivered again: its items went in with it the first time, or go in now.
        }

        await AppendAsync(conversation.Id, items, cancellationToken);
    }

    public async Task<ConversationSnapshot?> FindAsync(string conversationId, CancellationToken cancellationToken) =>
        (await _conversations.Find(c => c.Id == conversationId).FirstOrDefaultAsync(cancellationToken))?.ToSnapshot();

    public async Task<ConversationSnapshot?> SetMetadataAsync(string conversationId, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken) =>
        (await _conversations.FindOneAndUpdateAsync(c => c.Id == conversationId,
            Builders<ConversationDocument>.Update.Set(c => c.Metadata, new Dictionary<string, string>(metadata)),
            new FindOneAndUpdateOptions<ConversationDocument> { ReturnDocument = ReturnDocument.After }, cancellationToken))?.ToSnapshot();

    public Task SetLastResponseAsync(string conversationId, string responseId, CancellationToken cancellationToken) =>
        _conversations.UpdateOneAsync(c => c.Id == conversationId, Builders<ConversationDocument>.Update.Set(c => c.LastResponseId, responseId), cancellationToken: cancellationToken);

    public async Task<ConversationSnapshot?> RemoveAsync(string conversationId, CancellationToken cancellationToken)
    {
        var removed = await _conversations.FindOneAndDeleteAsync(c => c.Id == conversationId, cancellationToken: cancellationToken);
        await _items.DeleteManyAsync(i => i.ConversationId == conversationId, cancellationToken);
        return removed?.ToSnapshot();
    }

    public async Task<IReadOnlyList<InputMessage>> AppendAsync(string conversationId, IReadOnlyList<InputMessage> items, CancellationToken cancellationToken)
    {
        var fresh = items.DistinctBy(i => i.Id).ToList();
        if (fresh.Count == 0)
        {
            return [];
        }

        // Numbers are taken before the items go in: two appends at once get ranges of their own,
        // and a gap (an item that was there already) changes no order.
        var counted = await _conversations.FindOneAndUpdateAsync(c => c.Id == conversationId,
            Builders<ConversationDocument>.Update.Inc(c => c.NextSequence, fresh.Count),
            new FindOneAndUpdateOptions<ConversationDocument> { ReturnDocument = ReturnDocument.After }, cancellationToken);
        if (counted is null)
        {
            return [];
        }

        var first = counted.NextSequence - fresh.Count;
        var documents = fresh.Select((item, index) => ConversationItemDocument.From(conversationId, first + index, item)).ToList();
        try
        {
            await _items.InsertManyAsync(documents, new InsertManyOptions { IsOrdered = false }, cancellationToken);
            return fresh;
        }
        catch (MongoBulkWriteException<ConversationItemDocument> e) when (e.WriteErrors.All(error => error.Category == ServerErrorCategory.DuplicateKey))
        {
            var kept = e.WriteErrors.Select(error => error.Index).ToHashSet();
            return [.. fresh.Where((_, index) => !kept.Contains(index))];
        }
    }

    public async Task<IReadOnlyList<InputMessage>> ListAsync(string conversationId, string? afterItemId, int limit, bool oldestFirst, CancellationToken cancellationToken)
    {
        var filter = Builders<ConversationItemDocument>.Filter;
        var where = filter.Eq(i => i.ConversationId, conversationId);
        if (afterItemId is not null)
        {
            var after = await _items.Find(i => i.Id == ConversationItemDocument.IdOf(conversationId, afterItemId)).FirstOrDefaultAsync(cancellationToken);
            if (after is null)
            {
                return [];
            }

            where &= oldestFirst ? filter.Gt(i => i.Sequence, after.Sequence) : filter.Lt(i => i.Sequence, after.Sequence);
        }

        var found = _items.Find(where);
        var sorted = oldestFirst ? found.SortBy(i => i.Sequence) : found.SortByDescending(i => i.Sequence);
        return [.. (await sorted.Limit(limit).ToListAsync(cancellationToken)).Select(i => i.Item.ToInput())];
    }

    public async Task<InputMessage?> FindItemAsync(string conversationId, string itemId, CancellationToken cancellationToken) =>
        (await _items.Find(i => i.Id == ConversationItemDocument.IdOf(conversationId, itemId)).FirstOrDefaultAsync(cancellationToken))?.Item.ToInput();

    public async Task<bool> RemoveItemAsync(string conversationId, string itemId, CancellationToken cancellationToken) =>
        (await _items.DeleteOneAsync(i => i.Id == ConversationItemDocument.IdOf(conversationId, itemId), cancellationToken)).DeletedCount > 0;
}

[BsonIgnoreExtraElements]
internal sealed class ConversationDocument
{
    [BsonId] public string Id { get; set; } = "";
    [BsonElement("createdAt")] public DateTime CreatedAt { get; set; }
    [BsonElement("metadata")] public Dictionary<string, string> Metadata { get; set; } = [];
    [BsonElement("tenant")] public string Tenant { get; set; } = "";
    [BsonElement("sessionId")] public Guid SessionId { get; set; }
    [BsonElement("lastResponseId")] public string? LastResponseId { get; set; }
    [BsonElement("nextSequence")] public long NextSequence { get; set; }

    public static ConversationDocument From(ConversationSnapshot conversation) => new()
    {
        Id = conversation.Id,
        CreatedAt = conversation.CreatedAt.UtcDateTime,
        Metadata = conversation.Metadata is null ? [] : new Dictionary<string, string>(conversation.Metadata),
        Tenant = Tenants.Tenancy.Of(conversation.Tenant),
        SessionId = conversation.SessionId,
        LastResponseId = conversation.LastResponseId,
    };

    public ConversationSnapshot ToSnapshot() => new()
    {
        Id = Id,
        CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc)),
        Metadata = Metadata,
        Tenant = Tenant,
        SessionId = SessionId,
        LastResponseId = LastResponseId,
    };
}

[BsonIgnoreExtraElements]
internal sealed class ConversationItemDocument
{
    [BsonId] public string Id { get; set; } = "";
    [BsonElement("conversationId")] public string ConversationId { get; set; } = "";
    [BsonElement("sequence")] public long Sequence { get; set; }
    [BsonElement("item")] public InputDocument Item { get; set; } = new();

    public static string IdOf(string conversationId, string itemId) => $"{conversationId}/{itemId}";

    public static ConversationItemDocument From(string conversationId, long sequence, InputMessage item) => new()
    {
        Id = IdOf(conversationId, item.Id!),
        ConversationId = conversationId,
        Sequence = sequence,
        Item = InputDocument.From(item),
    };
}
