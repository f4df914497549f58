using Berth.Contracts;
using Berth.Planner.Responses;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Berth.Planner.Mongo;

/// <summary>Responses in MongoDB: <c>responses</c> for the response, <c>response_items</c> for its output.</summary>
public sealed class MongoResponseStore(IMongoDatabase database, TimeProvider time) : IResponseStore
{
    public const string ResponsesCollection = "responses";
    public const string ItemsCollection = "response_items";

    private readonly IMongoCollection<ResponseDocument> _responses = database.GetCollection<ResponseDocument>(ResponsesCollection);
    private readonly IMongoCollection<ItemDocument> _items = database.GetCollection<ItemDocument>(ItemsCollection);

    public async Task<StoredResponse?> FindAsync(string responseId, CancellationToken cancellationToken)
    {
        var response = await _responses.Find(r => r.Id == responseId).FirstOrDefaultAsync(cancellationToken);
        return response is null ? null : response.ToStored(await ItemsOfAsync(responseId, cancellationToken));
    }

    public async Task<bool> TryAddAsync(StoredResponse response, CancellationToken cancellationToken)
    {
        try
        {
            await _responses.InsertOneAsync(ResponseDocument.From(response), cancellationToken: cancellationToken);
            return true;
        }
        catch (MongoWriteException e) when (MongoSagaRepository.IsDuplicateKey(e))
        {
            return false;
        }
    }

    public async Task AppendItemAsync(string responseId, ResponseItem item, CancellationToken cancellationToken)
    {
        if (await _items.Find(i => i.Id == item.Id).AnyAsync(cancellationToken))
        {
            return;
        }

        var counted = await _responses.FindOneAndUpdateAsync(
            r => r.Id == responseId,
            Builders<ResponseDocument>.Update.Inc(r => r.ItemCount, 1),
            new FindOneAndUpdateOptions<ResponseDocument> { ReturnDocument = ReturnDocument.After },
            cancellationToken) ?? throw new KeyNotFoundException($"No stored response '{responseId}'.");

        try
        {
            await _items.InsertOneAsync(ItemDocument.From(responseId, counted.ItemCount, time.GetUtcNow().UtcDateTime, item), cancellationToken: cancellationToken);
        }
        catch (MongoWriteException e) when (MongoSagaRepository.IsDuplicateKey(e))
        {
            // A replay raced the first write of the same item; the item is there, which is all that matters.
        }
    }

    public Task SetItemStatusAsync(string responseId, string itemId, string status, CancellationToken cancellationToken) =>
        _items.UpdateOneAsync(i => i.Id == itemId && i.ResponseId == responseId, Builders<ItemDocument>.Update.Set(i => i.Status, status),
            cancellationToken: cancellationToken);

    public Task RecordUsageAsync(string responseId, int modelCall, TokenUsage usage, CancellationToken cancellationToken)
    {
        // A raw $set on "usage.<call>": the field path is built from data, which typed builders cannot express.
        var update = new BsonDocument("$set", new BsonDocument(
            $"usage.{modelCall.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            new BsonDocument { { "input", usage.InputTokens }, { "output", usage.OutputTokens } }));
        return _responses.UpdateOneAsync(r => r.Id == responseId, new BsonDocumentUpdateDefinition<ResponseDocument>(update), cancellationToken: cancellationToken);
    }

    public Task SetStatusAsync(string responseId, string status, CancellationToken cancellationToken) =>
        _responses.UpdateOneAsync(r => r.Id == responseId, Builders<ResponseDocument>.Update.Set(r => r.Status, status), cancellationToken: cancellationToken);

    public async Task FinishAsync(string responseId, ResponseOutcome outcome, CancellationToken cancellationToken)
    {
        await _items.UpdateManyAsync(i => i.ResponseId == responseId && i.Status == ItemStatus.InProgress,
            Builders<ItemDocument>.Update.Set(i => i.Status, ItemStatus.Incomplete), cancellationToken: cancellationToken);

        var update = Builders<ResponseDocument>.Update
            .Set(r => r.Status, outcome.Status)
            .Set(r => r.CompletedAt, outcome.CompletedAt.UtcDateTime)
            .Set(r => r.IncompleteReason, outcome.IncompleteReason)
            .Set(r => r.Error, outcome.Error is null ? null : new ErrorDocument { Code = outcome.Error.Code, Message = outcome.Error.Message });
        await _responses.UpdateOneAsync(r => r.Id == responseId, update, cancellationToken: cancellationToken);
    }

    public async Task<IReadOnlyList<StoredResponse>> GetChainAsync(string responseId, CancellationToken cancellationToken)
    {
        var chain = new List<StoredResponse>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var id = responseId; id is not null && seen.Add(id);)
        {
            var response = await FindAsync(id, cancellationToken);
            if (response is null)
            {
                break;
            }

            chain.Add(response);
            id = response.Snapshot.PreviousResponseId;
        }

        chain.Reverse();
        return chain;
    }

    private Task<List<ItemDocument>> ItemsOfAsync(string responseId, CancellationToken cancellationToken) =>
        _items.Find(i => i.ResponseId == responseId).SortBy(i => i.Seq).ToListAsync(cancellationToken);
}
