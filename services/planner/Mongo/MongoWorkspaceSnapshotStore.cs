using Berth.Contracts;
using Berth.Planner.Snapshots;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;

namespace Berth.Planner.Mongo;

/// <summary>The records of workspace snapshots in MongoDB: <c>snapshots</c>. The archives are in the payload store (GridFS).</summary>
internal sealed class MongoWorkspaceSnapshotStore(IMongoDatabase database) : IWorkspaceSnapshotStore
{
    public const string Collection = "snapshots";

    private readonly IMongoCollection<SnapshotDocument> _snapshots = database.GetCollection<SnapshotDocument>(Collection);

    public Task AddAsync(WorkspaceSnapshotInfo snapshot, CancellationToken cancellationToken) =>
        _snapshots.ReplaceOneAsync(s => s.Id == snapshot.Id, SnapshotDocument.From(snapshot), new ReplaceOptions { IsUpsert = true }, cancellationToken);

    public async Task<WorkspaceSnapshotInfo?> FindAsync(string snapshotId, CancellationToken cancellationToken) =>
        (await _snapshots.Find(s => s.Id == snapshotId).FirstOrDefaultAsync(cancellationToken))?.ToInfo();

    public async Task<IReadOnlyList<WorkspaceSnapshotInfo>> ListAsync(string containerId, WorkspaceSnapshotInfo? after, int limit, bool oldestFirst, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var filter = Builders<SnapshotDocument>.Filter;
        var where = filter.Eq(s => s.ContainerId, containerId) & filter.Gt(s => s.ExpiresAt, now.UtcDateTime);
        if (after is not null)
        {
            var at = after.CreatedAt.UtcDateTime;
            where &= oldestFirst
                ? filter.Gt(s => s.CreatedAt, at) | (filter.Eq(s => s.CreatedAt, at) & filter.Gt(s => s.Id, after.Id))
                : filter.Lt(s => s.CreatedAt, at) | (filter.Eq(s => s.CreatedAt, at) & filter.Lt(s => s.Id, after.Id));
        }

        var found = _snapshots.Find(where);
        var sorted = oldestFirst ? found.SortBy(s => s.CreatedAt).ThenBy(s => s.Id) : found.SortByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id);
        return [.. (await sorted.Limit(limit).ToListAsync(cancellationToken)).Select(s => s.ToInfo())];
    }

    public async Task<long> TotalBytesAsync(string tenant, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await _snapshots.Find(s => s.Tenant == tenant && s.ExpiresAt > now.UtcDateTime).Project(s => s.Bytes).ToListAsync(cancellationToken)).Sum();

    public async Task<WorkspaceSnapshotInfo?> RemoveAsync(string snapshotId, CancellationToken cancellationToken) =>
        (await _snapshots.FindOneAndDeleteAsync(s => s.Id == snapshotId, cancellationToken: cancellationToken))?.ToInfo();

    public async Task<IReadOnlyList<WorkspaceSnapshotInfo>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        [.. (await _snapshots.Find(s => s.ExpiresAt <= now.UtcDateTime).Limit(limit).ToListAsync(cancellationToken)).Select(s => s.ToInfo())];
}

[BsonIgnoreExtraElements]
internal sealed class SnapshotDocument
{
    [BsonId] public string Id { get; set; } = "";
    [BsonElement("containerId")] public string ContainerId { get; set; } = "";
    [BsonElement("bytes")] public long Bytes { get; set; }
    [BsonElement("createdAt")] public DateTime CreatedAt { get; set; }
    [BsonElement("expiresAt")] public DateTime ExpiresAt { get; set; }
    [BsonElement("tenant")] public string Tenant { get; set; } = "";
    [BsonElement("archive")] public string Archive { get; set; } = "";
    [BsonElement("skills"), BsonIgnoreIfNull] public string? Skills { get; set; }

    public static SnapshotDocument From(WorkspaceSnapshotInfo s) => new()
    {
        Id = s.Id,
        ContainerId = s.ContainerId,
        Bytes = s.Bytes,
        CreatedAt = s.CreatedAt.UtcDateTime,
        ExpiresAt = s.ExpiresAt.UtcDateTime,
        Tenant = s.Tenant ?? "",
        Archive = s.Address.ToString(),
        Skills = s.Skills?.ToString(),
    };

    public WorkspaceSnapshotInfo ToInfo() => new()
    {
        Id = Id,
        ContainerId = ContainerId,
        Bytes = Bytes,
        CreatedAt = MongoTime.Read(CreatedAt),
        ExpiresAt = MongoTime.Read(ExpiresAt),
        Tenant = Tenant,
        Address = new Uri(Archive),
        Skills = Skills is { } skills ? new Uri(skills) : null,
    };
}
