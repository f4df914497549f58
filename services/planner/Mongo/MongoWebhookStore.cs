using Berth.Contracts;
using Berth.Planner.Webhooks;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;

namespace Berth.Planner.Mongo;

/// <summary>Webhook endpoints and delivery attempts in MongoDB: <c>webhook_endpoints</c> and <c>webhook_attempts</c>.</summary>
internal sealed class MongoWebhookStore(IMongoDatabase database) : IWebhookStore
{
    public const string EndpointsCollection = "webhook_endpoints";
    public const string AttemptsCollection = "webhook_attempts";

    private readonly IMongoCollection<WebhookEndpointDocument> _endpoints = database.GetCollection<WebhookEndpointDocument>(EndpointsCollection);
    private readonly IMongoCollection<WebhookAttemptDocument> _attempts = database.GetCollection<WebhookAttemptDocument>(AttemptsCollection);

    public Task AddAsync(WebhookEndpointSnapshot endpoint, CancellationToken cancellationToken) =>
        _endpoints.ReplaceOneAsync(e => e.Id == endpoint.Id, WebhookEndpointDocument.From(endpoint), new ReplaceOptions { IsUpsert = true }, cancellationToken);

    public async Task<WebhookEndpointSnapshot?> FindAsync(string endpointId, CancellationToken cancellationToken) =>
        (await _endpoints.Find(e => e.Id == endpointId).FirstOrDefaultAsync(cancellationToken))?.ToSnapshot();

    public async Task<IReadOnlyList<WebhookEndpointSnapshot>> AllAsync(CancellationToken cancellationToken) =>
        [.. (await _endpoints.Find(FilterDefinition<WebhookEndpointDocument>.Empty).SortBy(e => e.CreatedAt).ThenBy(e => e.Id).ToListAsync(cancellationToken))
            .Select(e => e.ToSnapshot())];

    public async Task<bool> RemoveAsync(string endpointId, CancellationToken cancellationToken) =>
        (await _endpoints.DeleteOneAsync(e => e.Id == endpointId, cancellationToken)).DeletedCount > 0;

    public Task RecordAsync(string endpointId, WebhookDeliveryAttempt attempt, CancellationToken cancellationToken) =>
        _attempts.InsertOneAsync(WebhookAttemptDocument.From(endpointId, attempt), cancellationToken: cancellationToken);

    public async Task<IReadOnlyList<WebhookDeliveryAttempt>> AttemptsAsync(string endpointId, int limit, CancellationToken cancellationToken) =>
        [.. (await _attempts.Find(a => a.EndpointId == endpointId).SortByDescending(a => a.At).ThenByDescending(a => a.Id).Limit(limit).ToListAsync(cancellationToken))
            .Select(a => a.ToAttempt())];
}

[BsonIgnoreExtraElements]
internal sealed class WebhookEndpointDocument
{
    [BsonId] public string Id { get; set; } = "";
    [BsonElement("url")] public string Url { get; set; } = "";
    [BsonElement("events")] public List<string> Events { get; set; } = [];
    [BsonElement("secret")] public string Secret { get; set; } = "";
    [BsonElement("createdAt")] public DateTime CreatedAt { get; set; }
    [BsonElement("tenant")] public string? Tenant { get; set; }

    public static WebhookEndpointDocument From(WebhookEndpointSnapshot e) =>
        new() { Id = e.Id, Url = e.Url, Events = [.. e.Events], Secret = e.Secret ?? "", CreatedAt = e.CreatedAt.UtcDateTime, Tenant = e.Tenant };

    public WebhookEndpointSnapshot ToSnapshot() =>
        new() { Id = Id, Url = Url, Events = Events, Secret = Secret, CreatedAt = MongoTime.Read(CreatedAt), Tenant = Tenant };
}

[BsonIgnoreExtraElements]
internal sealed class WebhookAttemptDocument
{
    [BsonId] public ObjectId Id { get; set; }
    [BsonElement("endpointId")] public string EndpointId { get; set; } = "";
    [BsonElement("eventId")] public string EventId { get; set; } = "";
    [BsonElement("type")] public string Type { get; set; } = "";
    [BsonElement("responseId")] public string ResponseId { get; set; } = "";
    [BsonElement("attempt")] public int Attempt { get; set; }
    [BsonElement("statusCode")] public int? StatusCode { get; set; }
    [BsonElement("error")] public string? Error { get; set; }
    [BsonElement("outcome")] public string Outcome { get; set; } = "";
    [BsonElement("at")] public DateTime At { get; set; }

    public static WebhookAttemptDocument From(string endpointId, WebhookDeliveryAttempt a) => new()
    {
        Id = ObjectId.GenerateNewId(),
        EndpointId = endpointId,
        EventId = a.EventId,
        Type = a.Type,
        ResponseId = a.ResponseId,
        Attempt = a.Attempt,
        StatusCode = a.StatusCode,
        Error = a.Error,
        Outcome = a.Outcome,
        At = a.At.UtcDateTime,
    };

    public WebhookDeliveryAttempt ToAttempt() => new()
    {
        EventId = EventId,
        Type = Type,
        ResponseId = ResponseId,
        Attempt = Attempt,
        StatusCode = StatusCode,
        Error = Error,
        Outcome = Outcome,
        At = MongoTime.Read(At),
    };
}
