using Berth.ServiceDefaults.Payloads;

namespace Berth.Planner.Expiry;

/// <summary>
/// Deletes records whose time has come, each with the bytes it keeps in the payload store: the
/// record first, then the bytes. Clients stop seeing a record at its expiry whether or not this
/// has run yet. Every planner purges; a record removed twice is removed once.
/// </summary>
/// <typeparam name="T">The record.</typeparam>
internal abstract class ExpiredRecordPurge<T>(PayloadStore payloads, TimeProvider time, ILogger logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);
    private const int Batch = 500;

    /// <summary>What a purged record is, for the log: "uploaded file(s) past their expires_after".</summary>
    protected abstract string What { get; }

    protected abstract Task<IReadOnlyList<T>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Removes the record; false when another planner did first.</summary>
    protected abstract Task<bool> RemoveAsync(T record, CancellationToken cancellationToken);

    /// <summary>What the record keeps in the payload store.</summary>
    protected abstract IEnumerable<Uri> BytesOf(T record);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PurgeAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                PurgeLog.Failed(logger, What, e);
            }
        }
    }

    /// <summary>One pass; returns how many records went.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        var purged = 0;
        IReadOnlyList<T> expired;
        do
        {
            expired = await ExpiredAsync(time.GetUtcNow(), Batch, cancellationToken);
            foreach (var record in expired)
            {
                if (await RemoveAsync(record, cancellationToken))
                {
                    foreach (var bytes in BytesOf(record))
                    {
                        await payloads.DeleteAsync(bytes);
                    }

                    purged++;
                }
            }
        }
        while (expired.Count == Batch);

        if (purged > 0)
        {
            PurgeLog.Purged(logger, purged, What);
        }

        return purged;
    }
}

internal static partial class PurgeLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} {What}")]
    public static partial void Purged(ILogger logger, int count, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired {What} failed; trying again next round")]
    public static partial void Failed(ILogger logger, string what, Exception exception);
}
