using System.Globalization;
using Berth.Contracts;
using Berth.Planner.Skills;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;

namespace Berth.Planner.Mongo;

/// <summary>Skills in MongoDB: <c>skills</c>, one document each with its versions. The bundles are in the payload store (GridFS).</summary>
internal sealed class MongoSkillStore(IMongoDatabase database) : ISkillStore
{
    public const string Collection = "skills";

    private readonly IMongoCollection<SkillDocument> _skills = database.GetCollection<SkillDocument>(Collection);

    public async Task AddAsync(SkillSnapshot skill, CancellationToken cancellationToken)
    {
        try
        {
            await _skills.InsertOneAsync(SkillDocument.From(skill), cancellationToken: cancellationToken);
        }
        catch (MongoWriteException e) when (e.WriteError.Category == ServerErrorCategory.DuplicateKey)
        {
            // A create delivered again: the first one stands.
        }
    }

    public async Task<SkillSnapshot?> FindAsync(string skillId, CancellationToken cancellationToken) =>
        (await _skills.Find(s => s.Id == skillId).FirstOrDefaultAsync(cancellationToken))?.ToSnapshot();

    public async Task<IReadOnlyList<SkillSnapshot>> ListAsync(string tenant, SkillSnapshot? after, int limit, bool oldestFirst, CancellationToken cancellationToken)
    {
        var filter = Builders<SkillDocument>.Filter;
        var where = filter.Eq(s => s.Tenant, tenant);
        if (after is not null)
        {
            var at = after.CreatedAt.UtcDateTime;
            where &= oldestFirst
                ? filter.Gt(s => s.CreatedAt, at) | (filter.Eq(s => s.CreatedAt, at) & filter.Gt(s => s.Id, after.Id))
                : filter.Lt(s => s.CreatedAt, at) | (filter.Eq(s => s.CreatedAt, at) & filter.Lt(s => s.Id, after.Id));
        }

        var found = _skills.Find(where);
        var sorted = oldestFirst ? found.SortBy(s => s.CreatedAt).ThenBy(s => s.Id) : found.SortByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id);
        return [.. (await sorted.Limit(limit).ToListAsync(cancellationToken)).Select(s => s.ToSnapshot())];
    }

    public async Task<SkillSnapshot?> AddVersionAsync(string skillId, SkillVersionSnapshot version, bool makeDefault, CancellationToken cancellationToken)
    {
        // The number first, then the version under it: two uploads at once get one number each.
        var numbered = await _skills.FindOneAndUpdateAsync(s => s.Id == skillId, Builders<SkillDocument>.Update.Inc(s => s.Latest, 1),
            new FindOneAndUpdateOptions<SkillDocument> { ReturnDocument = ReturnDocument.After }, cancellationToken);
        if (numbered is null)
        {
            return null;
        }

        var number = numbered.Latest.ToString(CultureInfo.InvariantCulture);
        var update = Builders<SkillDocument>.Update.Push(s => s.Versions, SkillVersionDocument.From(version with { Version = number }));
        if (makeDefault)
        {
            update = update.Set(s => s.DefaultVersion, number);
        }

        return (await _skills.FindOneAndUpdateAsync(s => s.Id == skillId, update,
            new FindOneAndUpdateOptions<SkillDocument> { ReturnDocument = ReturnDocument.After }, cancellationToken))?.ToSnapshot();
    }

    public async Task<SkillSnapshot?> SetDefaultAsync(string skillId, string version, CancellationToken cancellationToken) =>
        (await _skills.FindOneAndUpdateAsync(s => s.Id == skillId && s.Versions.Any(v => v.Version == version),
            Builders<SkillDocument>.Update.Set(s => s.DefaultVersion, version),
            new FindOneAndUpdateOptions<SkillDocument> { ReturnDocument = ReturnDocument.After }, cancellationToken))?.ToSnapshot();

    public async Task<SkillSnapshot?> RemoveVersionAsync(string skillId, string version, CancellationToken cancellationToken) =>
        (await _skills.FindOneAndUpdateAsync(s => s.Id == skillId && s.DefaultVersion != version && s.Versions.Any(v => v.Version == version),
            Builders<SkillDocument>.Update.PullFilter(s => s.Versions, v => v.Version == version),
            new FindOneAndUpdateOptions<SkillDocument> { ReturnDocument = ReturnDocument.Before }, cancellationToken))?.ToSnapshot();

    public async Task<SkillSnapshot?> RemoveAsync(string skillId, CancellationToken cancellationToken) =>
        (await _skills.FindOneAndDeleteAsync(s => s.Id == skillId, cancellationToken: cancellationToken))?.ToSnapshot();
}

[BsonIgnoreExtraElements]
internal sealed class SkillDocument
{
    [BsonId] public string Id { get; set; } = "";
    [BsonElement("createdAt")] public DateTime CreatedAt { get; set; }
    [BsonElement("tenant")] public string Tenant { get; set; } = "";
    [BsonElement("defaultVersion")] public string DefaultVersion { get; set; } = "";

    /// <summary>The latest version's number: versions are numbered by incrementing it.</summary>
    [BsonElement("latest")] public int Latest { get; set; }

    [BsonElement("versions")] public List<SkillVersionDocument> Versions { get; set; } = [];

    public static SkillDocument From(SkillSnapshot skill) => new()
    {
        Id = skill.Id,
        CreatedAt = skill.CreatedAt.UtcDateTime,
        Tenant = Tenants.Tenancy.Of(skill.Tenant),
        DefaultVersion = skill.DefaultVersion,
        Latest = int.Parse(skill.LatestVersion, CultureInfo.InvariantCulture),
        Versions = [.. skill.Versions.Select(SkillVersionDocument.From)],
    };

    public SkillSnapshot ToSnapshot() => new()
    {
        Id = Id,
        CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc)),
        Tenant = Tenant,
        DefaultVersion = DefaultVersion,
        LatestVersion = Latest.ToString(CultureInfo.InvariantCulture),
        Versions = [.. Versions.Select(v => v.ToSnapshot())],
    };
}

internal sealed class SkillVersionDocument
{
    [BsonElement("version")] public string Version { get; set; } = "";
    [BsonElement("name")] public string Name { get; set; } = "";
    [BsonElement("description")] public string Description { get; set; } = "";
    [BsonElement("createdAt")] public DateTime CreatedAt { get; set; }
    [BsonElement("content")] public string Content { get; set; } = "";
    [BsonElement("bytes")] public long Bytes { get; set; }

    public static SkillVersionDocument From(SkillVersionSnapshot version) => new()
    {
        Version = version.Version,
        Name = version.Name,
        Description = version.Description,
        CreatedAt = version.CreatedAt.UtcDateTime,
        Content = version.ContentAddress.ToString(),
        Bytes = version.Bytes,
    };

    public SkillVersionSnapshot ToSnapshot() => new()
    {
        Version = Version,
        Name = Name,
        Description = Description,
        CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc)),
        ContentAddress = new Uri(Content),
        Bytes = Bytes,
    };
}
