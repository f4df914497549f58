using Berth.Contracts;
using Berth.Planner.Files;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;

namespace Berth.Planner.Mongo;

/// <summary>The records of uploaded files in MongoDB: <c>files</c>. The bytes are in the payload store (GridFS).</summary>
internal sealed class MongoFileStore(IMongoDatabase database) : IFileStore
{
    public const string Collection = "files";

    private readonly IMongoCollection<FileDocument> _files = database.GetCollection<FileDocument>(Collection);

    public Task AddAsync(FileSnapshot file, CancellationToken cancellationToken) =>
        _files.ReplaceOneAsync(f => f.Id == file.Id, FileDocument.From(file), new ReplaceOptions { IsUpsert = true }, cancellationToken);

    public async Task<FileSnapshot?> FindAsync(string fileId, CancellationToken cancellationToken) =>
        (await _files.Find(f => f.Id == fileId).FirstOrDefaultAsync(cancellationToken))?.ToSnapshot();

    public async Task<IReadOnlyList<FileSnapshot>> ListAsync(string tenant, string? purpose, FileSnapshot? after, int limit, bool oldestFirst, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var filter = Builders<FileDocument>.Filter;
        var where = filter.Eq(f => f.Tenant, tenant) & (filter.Eq(f => f.ExpiresAt, null) | filter.Gt(f => f.ExpiresAt, now.UtcDateTime));
        if (purpose is not null)
        {
            where &= filter.Eq(f => f.Purpose, purpose);
        }

        if (after is not null)
        {
            var at = after.CreatedAt.UtcDateTime;
            where &= oldestFirst
                ? filter.Gt(f => f.CreatedAt, at) | (filter.Eq(f => f.CreatedAt, at) & filter.Gt(f => f.Id, after.Id))
                : filter.Lt(f => f.CreatedAt, at) | (filter.Eq(f => f.CreatedAt, at) & filter.Lt(f => f.Id, after.Id));
        }

        var found = _files.Find(where);
        var sorted = oldestFirst ? found.SortBy(f => f.CreatedAt).ThenBy(f => f.Id) : found.SortByDescending(f => f.CreatedAt).ThenByDescending(f => f.Id);
        return [.. (await sorted.Limit(limit).ToListAsync(cancellationToken)).Select(f => f.ToSnapshot())];
    }

    public async Task<FileSnapshot?> RemoveAsync(string fileId, CancellationToken cancellationToken) =>
        (await _files.FindOneAndDeleteAsync(f => f.Id == fileId, cancellationToken: cancellationToken))?.ToSnapshot();

    public async Task<IReadOnlyList<FileSnapshot>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        [.. (await _files.Find(f => f.ExpiresAt != null && f.ExpiresAt <= now.UtcDateTime).Limit(limit).ToListAsync(cancellationToken)).Select(f => f.ToSnapshot())];
}

[BsonIgnoreExtraElements]
internal sealed class FileDocument
{
    [BsonId] public string Id { get; set; } = "";
    [BsonElement("filename")] public string Filename { get; set; } = "";
    [BsonElement("purpose")] public string Purpose { get; set; } = "";
    [BsonElement("bytes")] public long Bytes { get; set; }
    [BsonElement("createdAt")] public DateTime CreatedAt { get; set; }
    [BsonElement("expiresAt")] public DateTime? ExpiresAt { get; set; }
    [BsonElement("tenant")] public string Tenant { get; set; } = "";
    [BsonElement("content")] public string Content { get; set; } = "";

    public static FileDocument From(FileSnapshot f) => new()
    {
        Id = f.Id,
        Filename = f.Filename,
        Purpose = f.Purpose,
        Bytes = f.Bytes,
        CreatedAt = f.CreatedAt.UtcDateTime,
        ExpiresAt = f.ExpiresAt?.UtcDateTime,
        Tenant = f.Tenant ?? "",
        Content = f.ContentAddress.ToString(),
    };

    public FileSnapshot ToSnapshot() => new()
    {
        Id = Id,
        Filename = Filename,
        Purpose = Purpose,
        Bytes = Bytes,
        CreatedAt = MongoTime.Read(CreatedAt),
        ExpiresAt = ExpiresAt is { } expires ? MongoTime.Read(expires) : null,
        Tenant = Tenant,
        ContentAddress = new Uri(Content),
    };
}
