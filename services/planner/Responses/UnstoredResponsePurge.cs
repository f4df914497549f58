using Microsoft.Extensions.Options;

namespace Berth.Planner.Responses;

/// <summary>
/// Forgets the responses made with <c>store: false</c> once they have been delivered. Each is
/// kept for <see cref="PlannerOptions.UnstoredKeepSeconds"/> after it ends, unseen by clients,
/// so that the api instance answering the request that made it can still read it back (a large
/// output, a slow stream's last pages); then it goes with its items and events. Every planner
/// purges; a response removed twice is removed once.
/// </summary>
internal sealed partial class UnstoredResponsePurge(IResponseStore store, IOptions<PlannerOptions> options, TimeProvider time, ILogger<UnstoredResponsePurge> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period(options.Value.UnstoredKeepSeconds), time);
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

    /// <summary>One pass; returns how many responses went.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        var purged = await store.PurgeUnstoredAsync(time.GetUtcNow() - TimeSpan.FromSeconds(options.Value.UnstoredKeepSeconds), cancellationToken);
        if (purged > 0)
        {
            LogPurged(purged);
        }

        return purged;
    }

    /// <summary>Often enough that none stays much past its time, and never more than once a second.</summary>
    public static TimeSpan Period(int keepSeconds) => TimeSpan.FromSeconds(Math.Clamp(keepSeconds / 2.0, 1, 30));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Removed {Count} response(s) made with store: false, delivered and past their keep")]
    private partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging responses made with store: false failed; trying again next round")]
    private partial void LogPurgeFailed(Exception exception);
}
