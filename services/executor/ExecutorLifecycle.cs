using Berth.Contracts;
using Berth.Executor.Sandbox;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Executor;

/// <summary>
/// What an executor does besides running calls: takes back its containers after a restart,
/// tells the pool it is alive, and removes containers that have been idle too long.
/// </summary>
public sealed partial class ExecutorLifecycle(DockerSandbox sandbox, IBus bus, IOptions<ExecutorOptions> options, ILogger<ExecutorLifecycle> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var adopted = await sandbox.AdoptAsync(stoppingToken);
        LogAdopted(settings.InstanceId, adopted);

        var heartbeat = TimeSpan.FromSeconds(settings.HeartbeatSeconds);
        var sweep = TimeSpan.FromSeconds(settings.SweepSeconds);
        var nextSweep = DateTimeOffset.UtcNow + sweep;
        using var timer = new PeriodicTimer(heartbeat);
        do
        {
            try
            {
                await bus.Publish(new ExecutorHeartbeat
                {
                    ExecutorId = settings.InstanceId,
                    Capacity = settings.MaxContainers,
                    LiveContainers = sandbox.LiveContainers,
                    SentAt = DateTimeOffset.UtcNow,
                }, stoppingToken);

                if (DateTimeOffset.UtcNow >= nextSweep)
                {
                    nextSweep = DateTimeOffset.UtcNow + sweep;
                    await sandbox.ReapIdleAsync(TimeSpan.FromMinutes(settings.IdleMinutes), stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A broker or engine hiccup must not end the heartbeat: the next tick tries again.
                LogTickFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Executor {ExecutorId}: re-adopted {Count} session container(s)")]
    private partial void LogAdopted(string executorId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat or sweep failed; retrying on the next tick")]
    private partial void LogTickFailed(Exception exception);
}
