using Berth.Contracts;
using Berth.Planner.Containers;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;

namespace Berth.Planner.Mongo;

/// <summary>Containers in MongoDB: collection <c>containers</c>, one document per container.</summary>
internal sealed class MongoContainerStore(IMongoDatabase database) : IContainerStore
{
    public const string Collection = "containers";

    private readonly IMongoCollection<ContainerDocument> _containers = database.GetCollection<ContainerDocument>(Collection);

    public Task AddAsync(ContainerSnapshot container, CancellationToken cancellationToken) =>
        _containers.ReplaceOneAsync(c => c.Id == container.Id, ContainerDocument.From(container), new ReplaceOptions { IsUpsert = true }, cancellationToken);

    public async Task<ContainerSnapshot?> FindAsync(string containerId, CancellationToken cancellationToken) =>
        (await _containers.Find(c => c.Id == containerId).FirstOrDefaultAsync(cancellationToken))?.ToSnapshot();

    public async Task<ContainerSnapshot?> FindBySessionAsync(Guid sessionId, CancellationToken cancellationToken) =>
        (await _containers.Find(c => c.SessionId == sessionId).FirstOrDefaultAsync(cancellationToken))?.ToSnapshot();

    public async Task<IReadOnlyList<ContainerSnapshot>> ListAsync(string tenant, int limit, string? after, bool oldestFirst, CancellationToken cancellationToken)
    {
        var filter = Builders<ContainerDocument>.Filter;
        var owned = MongoTenancy.Filter<ContainerDocument>(c => c.Tenant, tenant);
        var page = owned;
        if (after is not null)
        {
            if (await _containers.Find(filter.And(owned, filter.Eq(c => c.Id, after))).FirstOrDefaultAsync(cancellationToken) is not { } cursor)
            {
                return [];
            }

            // Past the cursor in the order asked for: by creation time, then by id among equals.
            page = filter.And(owned, oldestFirst
                ? filter.Or(filter.Gt(c => c.CreatedAt, cursor.CreatedAt), filter.And(filter.Eq(c => c.CreatedAt, cursor.CreatedAt), filter.Gt(c => c.Id, cursor.Id)))
                : filter.Or(filter.Lt(c => c.CreatedAt, cursor.CreatedAt), filter.And(filter.Eq(c => c.CreatedAt, cursor.CreatedAt), filter.Lt(c => c.Id, cursor.Id))));
        }

        var sort = oldestFirst
            ? Builders<ContainerDocument>.Sort.Ascending(c => c.CreatedAt).Ascending(c => c.Id)
            : Builders<ContainerDocument>.Sort.Descending(c => c.CreatedAt).Descending(c => c.Id);
        return [.. (await _containers.Find(page).Sort(sort).Limit(limit).ToListAsync(cancellationToken)).Select(c => c.ToSnapshot())];
    }

    public async Task<IReadOnlySet<Guid>> RunningSessionsAsync(string tenant, CancellationToken cancellationToken)
    {
        var filter = Builders<ContainerDocument>.Filter;
        var running = filter.And(MongoTenancy.Filter<ContainerDocument>(c => c.Tenant, tenant), filter.Eq(c => c.Status, ContainerStatuses.Running));
        return (await (await _containers.DistinctAsync(c => c.SessionId, running, cancellationToken: cancellationToken)).ToListAsync(cancellationToken)).ToHashSet();
    }

    public Task SetStatusAsync(string containerId, string status, CancellationToken cancellationToken) =>
        _containers.UpdateOneAsync(c => c.Id == containerId, Builders<ContainerDocument>.Update.Set(c => c.Status, status), cancellationToken: cancellationToken);

    public async Task ForgetExecutorAsync(string executorId, CancellationToken cancellationToken)
    {
        await _containers.DeleteManyAsync(c => c.ExecutorId == executorId && c.Auto && c.Status == ContainerStatuses.Running, cancellationToken);
        await _containers.UpdateManyAsync(c => c.ExecutorId == executorId && c.Status == ContainerStatuses.Running,
            Builders<ContainerDocument>.Update.Set(c => c.Status, ContainerStatuses.Expired), cancellationToken: cancellationToken);
    }

    public Task TouchAsync(string containerId, DateTimeOffset at, CancellationToken cancellationToken) =>
        _containers.UpdateOneAsync(c => c.Id == containerId, Builders<ContainerDocument>.Update.Max(c => c.LastActiveAt, at.UtcDateTime), cancellationToken: cancellationToken);

    public Task DeleteAsync(string containerId, CancellationToken cancellationToken) =>
        _containers.DeleteOneAsync(c => c.Id == containerId, cancellationToken);
}

[BsonIgnoreExtraElements]
internal sealed class ContainerDocument
{
    [BsonId] public string Id { get; set; } = "";
    [BsonElement("name")] public string Name { get; set; } = "";
    [BsonElement("status")] public string Status { get; set; } = "";
    [BsonElement("sessionId"), BsonGuidRepresentation(GuidRepresentation.Standard)] public Guid SessionId { get; set; }
    [BsonElement("executorId")] public string? ExecutorId { get; set; }
    [BsonElement("dockerContainerId")] public string? DockerContainerId { get; set; }
    [BsonElement("idleMinutes")] public int IdleMinutes { get; set; }
    [BsonElement("memoryMb")] public int? MemoryMb { get; set; }
    [BsonElement("image")] public string? Image { get; set; }
    [BsonElement("restoredFrom")] public string? RestoredFrom { get; set; }
    [BsonElement("createdAt")] public DateTime CreatedAt { get; set; }
    [BsonElement("lastActiveAt")] public DateTime LastActiveAt { get; set; }
    [BsonElement("tenant")] public string? Tenant { get; set; }
    [BsonElement("networkPolicy")] public NetworkPolicyDocument? NetworkPolicy { get; set; }
    [BsonElement("auto")] public bool Auto { get; set; }
    [BsonElement("skills"), BsonIgnoreIfNull] public List<SkillSeedDocument>? Skills { get; set; }
    [BsonElement("keptAs"), BsonIgnoreIfNull] public string? KeptAs { get; set; }

    public static ContainerDocument From(ContainerSnapshot c) => new()
    {
        Id = c.Id,
        Name = c.Name,
        Status = c.Status,
        SessionId = c.SessionId,
        ExecutorId = c.ExecutorId,
        DockerContainerId = c.DockerContainerId,
        IdleMinutes = c.IdleMinutes,
        MemoryMb = c.MemoryMb,
        Image = c.Image,
        RestoredFrom = c.RestoredFrom,
        CreatedAt = c.CreatedAt.UtcDateTime,
        LastActiveAt = c.LastActiveAt.UtcDateTime,
        Tenant = c.Tenant,
        NetworkPolicy = NetworkPolicyDocument.From(c.NetworkPolicy),
        Auto = c.Auto,
        Skills = c.Skills.Count == 0 ? null : [.. c.Skills.Select(SkillSeedDocument.From)],
        KeptAs = c.KeptAs,
    };

    public ContainerSnapshot ToSnapshot() => new()
    {
        Id = Id,
        Name = Name,
        Status = Status,
        SessionId = SessionId,
        ExecutorId = ExecutorId,
        DockerContainerId = DockerContainerId,
        IdleMinutes = IdleMinutes,
        MemoryMb = MemoryMb,
        Image = Image,
        RestoredFrom = RestoredFrom,
        CreatedAt = MongoTime.Read(CreatedAt),
        LastActiveAt = MongoTime.Read(LastActiveAt),
        Tenant = Tenant,
        NetworkPolicy = NetworkPolicy?.ToSpec(),
        Auto = Auto,
        Skills = Skills is { Count: > 0 } ? [.. Skills.Select(k => k.ToSeed())] : [],
        KeptAs = KeptAs,
    };
}
