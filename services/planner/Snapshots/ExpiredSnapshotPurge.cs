using Berth.ServiceDefaults.Payloads;

namespace Berth.Planner.Snapshots;

/// <summary>
/// Deletes snapshots past their retention (<c>Executor:SnapshotRetentionDays</c>): the record,
/// then the archive. Clients stop seeing one at its expiry whether or not this has run yet.
/// </summary>
internal sealed partial class ExpiredSnapshotPurge(IWorkspaceSnapshotStore store, PayloadStore payloads, TimeProvider time, ILogger<ExpiredSnapshotPurge> logger)
    : BackgroundService
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

    /// <summary>One pass; returns how many snapshots went.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        var purged = 0;
        IReadOnlyList<Contracts.WorkspaceSnapshotInfo> expired;
        do
        {
            expired = await store.ExpiredAsync(time.GetUtcNow(), Batch, cancellationToken);
            foreach (var snapshot in expired)
            {
                if (await store.RemoveAsync(snapshot.Id, cancellationToken) is not null)
                {
                    await payloads.DeleteAsync(snapshot.Address);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} workspace snapshot(s) past their retention")]
    private partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired workspace snapshots failed; trying again next round")]
    private partial void LogPurgeFailed(Exception exception);
}
