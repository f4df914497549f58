using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Berth.ServiceDefaults.Payloads;

/// <summary>
/// The claim check every service uses for what may outgrow a bus message: small payloads travel
/// inline, larger ones are stored and the message carries their address. The side that asked
/// deletes a payload once it has its answer (the api, as a rule); time to live removes the rest.
/// </summary>
public sealed class PayloadStore(IPayloadRepository repository, IOptions<PayloadOptions> options, ILogger<PayloadStore> logger)
{
    private TimeSpan TimeToLive => TimeSpan.FromMinutes(options.Value.TimeToLiveMinutes);

    /// <summary>Whether <paramref name="bytes"/> may travel inside a message.</summary>
    public bool Fits(long bytes) => bytes <= options.Value.InlineBytes;

    public Task<Uri> PutAsync(Stream content, CancellationToken cancellationToken) => repository.Put(content, TimeToLive, cancellationToken);

    /// <summary>Stores content that is deleted after <paramref name="timeToLive"/> unless deleted before.</summary>
    public Task<Uri> PutAsync(Stream content, TimeSpan timeToLive, CancellationToken cancellationToken) => repository.Put(content, timeToLive, cancellationToken);

    /// <summary>Stores a payload with no time to live: an uploaded file, kept until its owner deletes it.</summary>
    public Task<Uri> KeepAsync(Stream content, CancellationToken cancellationToken) => repository.Put(content, null, cancellationToken);

    public async Task<Uri> PutAsync(byte[] content, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(content, writable: false);
        return await PutAsync(stream, cancellationToken);
    }

    /// <summary>Opens a stored payload; a missing one throws MassTransit's <c>MessageDataNotFoundException</c>.</summary>
    public Task<Stream> OpenAsync(Uri address, CancellationToken cancellationToken) => repository.Get(address, cancellationToken);

    /// <summary>Deletes a payload whose reader is done with it. A failure is logged, not thrown: time to live removes it later.</summary>
    public async Task DeleteAsync(Uri address)
    {
        try
        {
            await repository.DeleteAsync(address, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or MassTransit.MessageDataException or MongoDB.Driver.MongoException)
        {
            logger.LogWarning(e, "Could not delete payload {Address}; it expires on its own.", address);
        }
    }

    /// <summary>Stores <paramref name="value"/> as JSON when it is too large to travel inline; null when it fits.</summary>
    public async Task<Uri?> OffloadJsonAsync<T>(T value, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, type);
        return Fits(json.Length) ? null : await PutAsync(json, cancellationToken);
    }

    /// <summary>
    /// Reads a value stored by <see cref="OffloadJsonAsync"/> and leaves it, for a reader that may
    /// read it again (a saga step that can be retried); its time to live removes it.
    /// </summary>
    public async Task<T> ReadJsonAsync<T>(Uri address, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        await using var stream = await OpenAsync(address, cancellationToken);
        return await JsonSerializer.DeserializeAsync(stream, type, cancellationToken)
            ?? throw new InvalidDataException($"The payload {address} holds no value.");
    }

    /// <summary>Reads a value stored by <see cref="OffloadJsonAsync"/>, then deletes it.</summary>
    public async Task<T> TakeJsonAsync<T>(Uri address, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var value = await ReadJsonAsync(address, type, cancellationToken);
        await DeleteAsync(address);
        return value;
    }
}
