using Berth.ServiceDefaults.Payloads;

namespace Berth.Planner.Files;

/// <summary>
/// Deletes the files uploaded with <c>expires_after</c> once their time has come: the record,
/// then the bytes. Clients stop seeing a file at its expiry whether or not this has run yet.
/// Every planner purges; a file removed twice is removed once.
/// </summary>
internal sealed partial class ExpiredFilePurge(IFileStore store, PayloadStore payloads, TimeProvider time, ILogger<ExpiredFilePurge> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);
    private const int Batch = 500;

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
                LogPurgeFailed(e);
            }
        }
    }

    /// <summary>One pass; returns how many files went.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        var purged = 0;
        IReadOnlyList<Contracts.FileSnapshot> expired;
        do
        {
            expired = await store.ExpiredAsync(time.GetUtcNow(), Batch, cancellationToken);
            foreach (var file in expired)
            {
                if (await store.RemoveAsync(file.Id, cancellationToken) is not null)
                {
                    await payloads.DeleteAsync(file.ContentAddress);
                    purged++;
                }
            }
        }
        while (expired.Count == Batch);

        if (purged > 0)
        {
            LogPurged(purged);
        }

        return purged;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} uploaded file(s) past their expires_after")]
    private partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired uploaded files failed; trying again next round")]
    private partial void LogPurgeFailed(Exception exception);
}
