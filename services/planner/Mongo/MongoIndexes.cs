using Berth.Planner.Sessions;
using Microsoft.Extensions.Options;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Berth.Planner.Mongo;

/// <summary>
/// Creates the indexes the stores' queries need and the TTL indexes that expire old data, at
/// start-up. Creating an index that exists is a no-op; a TTL whose period changed is updated
/// in place with <c>collMod</c>, as MongoDB requires.
/// </summary>
internal sealed partial class MongoIndexes(IMongoDatabase database, IOptions<PlannerOptions> options, ILogger<MongoIndexes> logger) : IHostedService
{
    private const int IndexOptionsConflict = 85;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var responseTtl = TimeSpan.FromDays(settings.ResponseRetentionDays);
        var sessionTtl = TimeSpan.FromDays(settings.SessionRetentionDays);

        var responses = database.GetCollection<ResponseDocument>(MongoResponseStore.ResponsesCollection);
        await responses.Indexes.CreateOneAsync(new CreateIndexModel<ResponseDocument>(
            Builders<ResponseDocument>.IndexKeys.Ascending(r => r.SessionId), new CreateIndexOptions { Name = "sessionId" }), cancellationToken: cancellationToken);
        await responses.Indexes.CreateOneAsync(new CreateIndexModel<ResponseDocument>(
            Builders<ResponseDocument>.IndexKeys.Ascending(r => r.Tenant).Ascending(r => r.Status), new CreateIndexOptions { Name = "tenant_status" }), cancellationToken: cancellationToken);
        await CreateTtlAsync(responses, Builders<ResponseDocument>.IndexKeys.Ascending(r => r.CreatedAt), "createdAt_ttl", responseTtl, cancellationToken);

        // The watchdog purges responses made with store: false once they have been delivered.
        await responses.Indexes.CreateOneAsync(new CreateIndexModel<ResponseDocument>(
            Builders<ResponseDocument>.IndexKeys.Ascending(r => r.CompletedAt),
            new CreateIndexOptions<ResponseDocument> { Name = "unstored_completedAt", PartialFilterExpression = Builders<ResponseDocument>.Filter.Eq(r => r.Unstored, true) }),
            cancellationToken: cancellationToken);

        // An item_reference may name an input item, which lives in its response's document.
        await responses.Indexes.CreateOneAsync(new CreateIndexModel<ResponseDocument>(
            Builders<ResponseDocument>.IndexKeys.Ascending("input.id"), new CreateIndexOptions { Name = "input_id", Sparse = true }), cancellationToken: cancellationToken);

        var items = database.GetCollection<ItemDocument>(MongoResponseStore.ItemsCollection);
        await items.Indexes.CreateOneAsync(new CreateIndexModel<ItemDocument>(
            Builders<ItemDocument>.IndexKeys.Ascending(i => i.ResponseId).Ascending(i => i.Seq), new CreateIndexOptions { Name = "responseId_seq" }), cancellationToken: cancellationToken);
        await CreateTtlAsync(items, Builders<ItemDocument>.IndexKeys.Ascending(i => i.CreatedAt), "createdAt_ttl", responseTtl, cancellationToken);

        var events = database.GetCollection<EventDocument>(MongoResponseStore.EventsCollection);
        await events.Indexes.CreateOneAsync(new CreateIndexModel<EventDocument>(
            Builders<EventDocument>.IndexKeys.Ascending(e => e.ResponseId).Ascending(e => e.Seq), new CreateIndexOptions { Name = "responseId_seq" }), cancellationToken: cancellationToken);
        await events.Indexes.CreateOneAsync(new CreateIndexModel<EventDocument>(
            Builders<EventDocument>.IndexKeys.Ascending(e => e.ResponseId).Ascending(e => e.Key), new CreateIndexOptions { Name = "responseId_key", Unique = true }), cancellationToken: cancellationToken);
        await CreateTtlAsync(events, Builders<EventDocument>.IndexKeys.Ascending(e => e.CreatedAt), "createdAt_ttl", responseTtl, cancellationToken);

        var containers = database.GetCollection<ContainerDocument>(MongoContainerStore.Collection);
        await containers.Indexes.CreateOneAsync(new CreateIndexModel<ContainerDocument>(
            Builders<ContainerDocument>.IndexKeys.Ascending(c => c.SessionId), new CreateIndexOptions { Name = "sessionId" }), cancellationToken: cancellationToken);
        await containers.Indexes.CreateOneAsync(new CreateIndexModel<ContainerDocument>(
            Builders<ContainerDocument>.IndexKeys.Ascending(c => c.Tenant).Descending(c => c.CreatedAt), new CreateIndexOptions { Name = "tenant_createdAt" }), cancellationToken: cancellationToken);
        await containers.Indexes.CreateOneAsync(new CreateIndexModel<ContainerDocument>(
            Builders<ContainerDocument>.IndexKeys.Ascending(c => c.ExecutorId), new CreateIndexOptions { Name = "executorId" }), cancellationToken: cancellationToken);

        var attempts = database.GetCollection<WebhookAttemptDocument>(MongoWebhookStore.AttemptsCollection);
        await attempts.Indexes.CreateOneAsync(new CreateIndexModel<WebhookAttemptDocument>(
            Builders<WebhookAttemptDocument>.IndexKeys.Ascending(a => a.EndpointId).Descending(a => a.At), new CreateIndexOptions { Name = "endpointId_at" }),
            cancellationToken: cancellationToken);
        await CreateTtlAsync(attempts, Builders<WebhookAttemptDocument>.IndexKeys.Ascending(a => a.At), "at_ttl", responseTtl, cancellationToken);

        // No TTL index for files: the purge deletes each expired file's bytes with its record.
        var files = database.GetCollection<FileDocument>(MongoFileStore.Collection);
        await files.Indexes.CreateOneAsync(new CreateIndexModel<FileDocument>(
            Builders<FileDocument>.IndexKeys.Ascending(f => f.Tenant).Descending(f => f.CreatedAt).Descending(f => f.Id), new CreateIndexOptions { Name = "tenant_createdAt" }),
            cancellationToken: cancellationToken);
        await files.Indexes.CreateOneAsync(new CreateIndexModel<FileDocument>(
            Builders<FileDocument>.IndexKeys.Ascending(f => f.ExpiresAt), new CreateIndexOptions { Name = "expiresAt", Sparse = true }), cancellationToken: cancellationToken);

        var snapshots = database.GetCollection<SnapshotDocument>(MongoWorkspaceSnapshotStore.Collection);
        await snapshots.Indexes.CreateOneAsync(new CreateIndexModel<SnapshotDocument>(
            Builders<SnapshotDocument>.IndexKeys.Ascending(s => s.ContainerId).Descending(s => s.CreatedAt).Descending(s => s.Id), new CreateIndexOptions { Name = "containerId_createdAt" }),
            cancellationToken: cancellationToken);
        await snapshots.Indexes.CreateOneAsync(new CreateIndexModel<SnapshotDocument>(
            Builders<SnapshotDocument>.IndexKeys.Ascending(s => s.Tenant).Ascending(s => s.ExpiresAt), new CreateIndexOptions { Name = "tenant_expiresAt" }), cancellationToken: cancellationToken);

        var skills = database.GetCollection<SkillDocument>(MongoSkillStore.Collection);
        await skills.Indexes.CreateOneAsync(new CreateIndexModel<SkillDocument>(
            Builders<SkillDocument>.IndexKeys.Ascending(s => s.Tenant).Descending(s => s.CreatedAt).Descending(s => s.Id), new CreateIndexOptions { Name = "tenant_createdAt" }),
            cancellationToken: cancellationToken);

        var conversationItems = database.GetCollection<ConversationItemDocument>(MongoConversationStore.ItemsCollection);
        await conversationItems.Indexes.CreateOneAsync(new CreateIndexModel<ConversationItemDocument>(
            Builders<ConversationItemDocument>.IndexKeys.Ascending(i => i.ConversationId).Ascending(i => i.Sequence), new CreateIndexOptions { Name = "conversationId_sequence" }),
            cancellationToken: cancellationToken);

        // ExecutorLost reaches its sessions by executor id, and the executor watch looks for Acting sessions.
        var sessions = database.GetCollection<SessionState>(MongoSetup.SessionsCollection);
        await sessions.Indexes.CreateOneAsync(new CreateIndexModel<SessionState>(
            Builders<SessionState>.IndexKeys.Ascending(s => s.ExecutorId).Ascending(s => s.CurrentState), new CreateIndexOptions { Name = "executorId_state" }),
            cancellationToken: cancellationToken);
        await CreateTtlAsync(sessions, Builders<SessionState>.IndexKeys.Ascending(s => s.UpdatedAt), "updatedAt_ttl", sessionTtl, cancellationToken);

        LogReady(database.DatabaseNamespace.DatabaseName, settings.ResponseRetentionDays, settings.SessionRetentionDays);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task CreateTtlAsync<T>(IMongoCollection<T> collection, IndexKeysDefinition<T> keys, string name, TimeSpan expireAfter, CancellationToken cancellationToken)
    {
        try
        {
            await collection.Indexes.CreateOneAsync(new CreateIndexModel<T>(keys, new CreateIndexOptions { Name = name, ExpireAfter = expireAfter }),
                cancellationToken: cancellationToken);
        }
        catch (MongoCommandException e) when (e.Code == IndexOptionsConflict)
        {
            var command = new BsonDocument
            {
                { "collMod", collection.CollectionNamespace.CollectionName },
                { "index", new BsonDocument { { "name", name }, { "expireAfterSeconds", (long)expireAfter.TotalSeconds } } },
            };
            await database.RunCommandAsync<BsonDocument>(command, cancellationToken: cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MongoDB database {Database}: indexes ready; responses kept {ResponseDays} days, idle sessions {SessionDays} days")]
    private partial void LogReady(string database, int responseDays, int sessionDays);
}
