using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.ServiceDefaults.Payloads;

/// <summary>
/// Removes payloads nobody read before their time to live passed: replies whose asker timed out,
/// uploads whose executor never answered. Every service sweeps; sweeping twice is harmless.
/// </summary>
public sealed class PayloadSweeper(IPayloadRepository repository, TimeProvider time, ILogger<PayloadSweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            await SweepAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        try
        {
            var deleted = await repository.DeleteExpiredAsync(time.GetUtcNow(), cancellationToken);
            if (deleted > 0)
            {
                logger.LogInformation("Deleted {Count} expired payloads.", deleted);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or MongoDB.Driver.MongoException)
        {
            logger.LogWarning(e, "Sweeping expired payloads failed; trying again in {Interval}.", Interval);
        }
    }
}
