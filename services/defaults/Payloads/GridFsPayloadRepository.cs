using System.Text.RegularExpressions;
using MassTransit;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.GridFS;

namespace Berth.ServiceDefaults.Payloads;

/// <summary>
/// Payloads in MongoDB's GridFS, beside the rest of Berth's state, for deployments whose services
/// share no disk. MassTransit's own GridFS repository lives in <c>MassTransit.MongoDb</c>, which
/// is not used here, and it neither deletes nor expires anything.
/// </summary>
public sealed partial class GridFsPayloadRepository(IMongoDatabase database, TimeProvider time) : IPayloadRepository
{
    private const string Bucket = "payloads";
    private const string ExpiresAt = "expiresAt";
    private readonly GridFSBucket _bucket = new(database, new GridFSBucketOptions { BucketName = Bucket });
    private int _indexed;

    public async Task<Uri> Put(Stream stream, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        // Without a time to live it is kept until deleted: no expiry, so no sweep finds it.
        var metadata = timeToLive is { } ttl ? new BsonDocument(ExpiresAt, (time.GetUtcNow() + ttl).UtcDateTime) : new BsonDocument();
        var id = await _bucket.UploadFromStreamAsync(Guid.NewGuid().ToString("N"), stream,
            new GridFSUploadOptions { Metadata = metadata }, cancellationToken);
        return new Uri($"urn:berth-payload:gridfs:{id}");
    }

    public async Task<Stream> Get(Uri address, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _bucket.OpenDownloadStreamAsync(IdOf(address), new GridFSDownloadOptions { Seekable = false }, cancellationToken);
        }
        catch (GridFSFileNotFoundException)
        {
            throw new MessageDataNotFoundException(address);
        }
    }

    public async Task DeleteAsync(Uri address, CancellationToken cancellationToken)
    {
        try
        {
            await _bucket.DeleteAsync(IdOf(address), cancellationToken);
        }
        catch (GridFSFileNotFoundException)
        {
        }
    }

    public async Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _indexed, 1) == 0)
        {
            await database.GetCollection<BsonDocument>($"{Bucket}.files").Indexes.CreateOneAsync(
                new CreateIndexModel<BsonDocument>(Builders<BsonDocument>.IndexKeys.Ascending($"metadata.{ExpiresAt}")), cancellationToken: cancellationToken);
        }

        var deleted = 0;
        using var expired = await _bucket.FindAsync(Builders<GridFSFileInfo>.Filter.Lte($"metadata.{ExpiresAt}", now.UtcDateTime), cancellationToken: cancellationToken);
        foreach (var file in await expired.ToListAsync(cancellationToken))
        {
            try
            {
                await _bucket.DeleteAsync(file.Id, cancellationToken);
                deleted++;
            }
            catch (GridFSFileNotFoundException)
            {
            }
        }

        return deleted;
    }

    private static ObjectId IdOf(Uri address)
    {
        var match = Address().Match(address.OriginalString);
        return match.Success ? ObjectId.Parse(match.Groups["id"].Value) : throw new MessageDataNotFoundException(address);
    }

    [GeneratedRegex("^urn:berth-payload:gridfs:(?<id>[0-9a-f]{24})$", RegexOptions.CultureInvariant)]
    private static partial Regex Address();
}
