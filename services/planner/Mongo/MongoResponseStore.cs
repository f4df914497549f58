using Berth.Contracts;
using Berth.Planner.Responses;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Berth.Planner.Mongo;

/// <summary>
/// Responses in MongoDB: <c>responses</c> for the response, <c>response_items</c> for its output,
/// <c>response_events</c> for its stream.
/// </summary>
internal sealed class MongoResponseStore(IMongoDatabase database, TimeProvider time) : IResponseStore
{
    public const string ResponsesCollection = "responses";
    public const string ItemsCollection = "response_items";
    public const string EventsCollection = "response_events";

    private readonly IMongoCollection<ResponseDocument> _responses = database.GetCollection<ResponseDocument>(ResponsesCollection);
    private readonly IMongoCollection<ItemDocument> _items = database.GetCollection<ItemDocument>(ItemsCollection);
    private readonly IMongoCollection<EventDocument> _events = database.GetCollection<EventDocument>(EventsCollection);

    public async Task<StoredResponse?> FindAsync(string responseId, CancellationToken cancellationToken)
    {
        var response = await _responses.Find(r => r.Id == responseId).FirstOrDefaultAsync(cancellationToken);
        return response is null ? null : response.ToStored(await ItemsOfAsync(responseId, cancellationToken));
    }

    public async Task<ResponseOwner?> FindOwnerAsync(string responseId, CancellationToken cancellationToken)
    {
        var found = await _responses.Find(r => r.Id == responseId).Project(r => new { r.Tenant, r.Unstored }).FirstOrDefaultAsync(cancellationToken);
        return found is null ? null : new ResponseOwner(Tenants.Tenancy.Of(found.Tenant), !found.Unstored);
    }

    public Task<IReadOnlySet<Guid>> ActiveSessionsAsync(string tenant, CancellationToken cancellationToken) =>
        ActiveSessionsAsync(tenant, withShell: false, cancellationToken);

    public Task<IReadOnlySet<Guid>> ActiveShellSessionsAsync(string tenant, CancellationToken cancellationToken) =>
        ActiveSessionsAsync(tenant, withShell: true, cancellationToken);

    private async Task<IReadOnlySet<Guid>> ActiveSessionsAsync(string tenant, bool withShell, CancellationToken cancellationToken)
    {
        var filter = Builders<ResponseDocument>.Filter;
        var active = filter.And(
            MongoTenancy.Filter<ResponseDocument>(r => r.Tenant, tenant),
            filter.In(r => r.Status, [ResponseStatuses.Queued, ResponseStatuses.InProgress]),
            withShell ? filter.Ne(r => r.Shell, null) : filter.Empty);
        return (await (await _responses.DistinctAsync(r => r.SessionId, active, cancellationToken: cancellationToken)).ToListAsync(cancellationToken)).ToHashSet();
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

    public async Task<int> AppendItemAsync(string responseId, ResponseItem item, CancellationToken cancellationToken)
    {
        if (!await _items.Find(i => i.Id == item.Id).AnyAsync(cancellationToken))
        {
            await InsertItemAsync(responseId, item, cancellationToken);
        }

        var seq = await _items.Find(i => i.Id == item.Id).Project(i => i.Seq).FirstAsync(cancellationToken);
        return (int)await _items.CountDocumentsAsync(i => i.ResponseId == responseId && i.Seq < seq, cancellationToken: cancellationToken);
    }

    public async Task<int> CountItemsAsync(string responseId, CancellationToken cancellationToken) =>
        (int)await _items.CountDocumentsAsync(i => i.ResponseId == responseId, cancellationToken: cancellationToken);

    public async Task<IReadOnlyList<ResponseStreamEvent>> AppendEventsAsync(string responseId, IReadOnlyList<KeyedEvent> events, CancellationToken cancellationToken)
    {
        var keys = events.Select(e => e.Key).ToList();
        while (true)
        {
            var existing = (await _events.Find(e => e.ResponseId == responseId && keys.Contains(e.Key)).ToListAsync(cancellationToken))
                .ToDictionary(e => e.Key, StringComparer.Ordinal);
            var last = await _events.Find(e => e.ResponseId == responseId).SortByDescending(e => e.Seq).Project(e => (int?)e.Seq).FirstOrDefaultAsync(cancellationToken);
            var next = (last ?? -1) + 1;
            var stored = new List<ResponseStreamEvent>(events.Count);
            try
            {
                foreach (var (key, e) in events)
                {
                    if (existing.TryGetValue(key, out var found))
                    {
                        stored.Add(found.ToEvent());
                        continue;
                    }

                    var numbered = e with { SequenceNumber = next++ };
                    await _events.InsertOneAsync(EventDocument.From(responseId, key, time.GetUtcNow().UtcDateTime, numbered), cancellationToken: cancellationToken);
                    stored.Add(numbered);
                }

                return stored;
            }
            catch (MongoWriteException e) when (MongoSagaRepository.IsDuplicateKey(e))
            {
                // Another writer took that number or that key first: read again and go on from there.
            }
        }
    }

    public async Task<IReadOnlyList<ResponseStreamEvent>?> ReadEventsAsync(string responseId, int after, int limit, CancellationToken cancellationToken)
    {
        if (!await _responses.Find(r => r.Id == responseId).AnyAsync(cancellationToken))
        {
            return null;
        }

        var events = await _events.Find(e => e.ResponseId == responseId && e.Seq > after).SortBy(e => e.Seq).Limit(limit).ToListAsync(cancellationToken);
        return [.. events.Select(e => e.ToEvent())];
    }

    private async Task InsertItemAsync(string responseId, ResponseItem item, CancellationToken cancellationToken)
    {

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
        _responses.UpdateOneAsync(r => r.Id == responseId && !FinishedStatuses.Contains(r.Status),
            Builders<ResponseDocument>.Update.Set(r => r.Status, status), cancellationToken: cancellationToken);

    public async Task<ResponseOutcome> FinishAsync(string responseId, ResponseOutcome outcome, CancellationToken cancellationToken)
    {
        var update = Builders<ResponseDocument>.Update
            .Set(r => r.Status, outcome.Status)
            .Set(r => r.CompletedAt, outcome.CompletedAt.UtcDateTime)
            .Set(r => r.IncompleteReason, outcome.IncompleteReason)
            .Set(r => r.Error, outcome.Error is null ? null : new ErrorDocument { Code = outcome.Error.Code, Message = outcome.Error.Message });
        var result = await _responses.UpdateOneAsync(r => r.Id == responseId && !FinishedStatuses.Contains(r.Status), update, cancellationToken: cancellationToken);
        if (result.ModifiedCount == 0)
        {
            var finished = await _responses.Find(r => r.Id == responseId).FirstOrDefaultAsync(cancellationToken);
            if (finished is not null && FinishedStatuses.Contains(finished.Status))
            {
                // A replay of the finish that took effect closes the items it may not have reached.
                await CloseItemsAsync(responseId, cancellationToken);
                return new ResponseOutcome(finished.Status, MongoTime.Read(finished.CompletedAt ?? DateTime.UnixEpoch),
                    finished.Error is { } e ? new ResponseError(e.Code, e.Message) : null, finished.IncompleteReason);
            }
        }

        await CloseItemsAsync(responseId, cancellationToken);
        return outcome;
    }

    private static readonly string[] FinishedStatuses =
        [ResponseStatuses.Completed, ResponseStatuses.Failed, ResponseStatuses.Cancelled, ResponseStatuses.Incomplete];

    private Task<UpdateResult> CloseItemsAsync(string responseId, CancellationToken cancellationToken) =>
        _items.UpdateManyAsync(i => i.ResponseId == responseId && i.Status == ItemStatus.InProgress,
            Builders<ItemDocument>.Update.Set(i => i.Status, ItemStatus.Incomplete), cancellationToken: cancellationToken);

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

    public async Task<FoundItem?> FindItemAsync(string itemId, CancellationToken cancellationToken)
    {
        var output = await _items.Find(i => i.Id == itemId).FirstOrDefaultAsync(cancellationToken);
        if (output is not null)
        {
            var owner = await FindOwnerAsync(output.ResponseId, cancellationToken);
            var item = output.ToItem();
            return owner is null ? null : new FoundItem(output.ResponseId, owner.Tenant, new InputMessage(InputMessage.OutputItem, "") { Id = item.Id, Item = item }, owner.Stored);
        }

        var holder = await _responses.Find(Builders<ResponseDocument>.Filter.Eq("input.id", itemId))
            .Project(r => new { r.Id, r.Tenant, r.Input, r.Unstored }).FirstOrDefaultAsync(cancellationToken);
        return holder?.Input.FirstOrDefault(i => i.Id == itemId) is { } input ? new FoundItem(holder.Id, holder.Tenant, input.ToInput(), !holder.Unstored) : null;
    }

    /// <summary>The response goes last, so a delete cut short is finished by the next one rather than leaving items no response owns unseen.</summary>
    public async Task<bool> DeleteAsync(string responseId, CancellationToken cancellationToken)
    {
        await _items.DeleteManyAsync(i => i.ResponseId == responseId, cancellationToken);
        await _events.DeleteManyAsync(e => e.ResponseId == responseId, cancellationToken);
        return (await _responses.DeleteOneAsync(r => r.Id == responseId, cancellationToken)).DeletedCount > 0;
    }

    public async Task<int> PurgeUnstoredAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken)
    {
        var cutoff = endedBefore.UtcDateTime;
        var ended = await _responses.Find(r => r.Unstored && r.CompletedAt < cutoff).Project(r => r.Id).ToListAsync(cancellationToken);
        var purged = 0;
        foreach (var id in ended)
        {
            purged += await DeleteAsync(id, cancellationToken) ? 1 : 0;
        }

        return purged;
    }

    private Task<List<ItemDocument>> ItemsOfAsync(string responseId, CancellationToken cancellationToken) =>
        _items.Find(i => i.ResponseId == responseId).SortBy(i => i.Seq).ToListAsync(cancellationToken);
}
