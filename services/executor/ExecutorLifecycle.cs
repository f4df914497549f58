using Berth.Contracts;
using Berth.Executor.Calls;
using Berth.Executor.Peers;
using Berth.Executor.Sandbox;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Executor;

/// <summary>
/// What an executor does besides running calls: takes back its containers after a restart,
/// tells the pool it is alive, keeps its warm containers topped up, and removes containers
/// that have been idle too long or that executors gone for good left behind. The heartbeat has a loop of its own: slow Docker work (a
/// busy engine can take seconds to create a container) must never make a live executor look dead.
/// </summary>
internal sealed partial class ExecutorLifecycle(
    DockerSandbox sandbox,
    OrphanedContainers orphans,
    CallRecords records,
    DockerEngine engine,
    ServedImages images,
    WorkspaceSnapshots snapshots,
    IBus bus,
    TimeProvider time,
    IOptions<ExecutorOptions> options,
    ILogger<ExecutorLifecycle> logger) : BackgroundService, IHostedLifecycleService
{
    // A broker that does not take the first heartbeat this soon must not hold the start-up.
    private static readonly TimeSpan FirstBeatWait = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The first heartbeat goes out once the bus has started and before the host says it has:
    /// a planner that has heard no executor for a while fails a new session's first call at
    /// once, so an executor that reports itself started must already have been heard.
    /// </summary>
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(FirstBeatWait);
        try
        {
            await BeatAsync(wait.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogTickFailed(e);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        ExecutorTelemetry.ObserveContainers(sandbox, settings.InstanceId);
        foreach (var weakness in settings.WeakIsolation())
        {
            LogWeakIsolation(settings.InstanceId, weakness);
        }

        var adopted = await sandbox.AdoptAsync(stoppingToken);
        LogAdopted(settings.InstanceId, adopted);

        await Task.WhenAll(
            EveryAsync(TimeSpan.FromSeconds(settings.HeartbeatSeconds), BeatAsync, stoppingToken),
            EveryAsync(TimeSpan.FromSeconds(Math.Min(settings.HeartbeatSeconds, settings.SweepSeconds)), MaintainAsync, stoppingToken));
    }

    private Task BeatAsync(CancellationToken cancellationToken) => bus.Publish(new ExecutorHeartbeat
    {
        ExecutorId = options.Value.InstanceId,
        Capacity = options.Value.MaxContainers,
        LiveContainers = sandbox.LiveContainers,
        SentAt = time.GetUtcNow(),
        EngineId = engine.Known,
        Images = images.Names,
    }, cancellationToken);

    private DateTimeOffset _nextSweep = DateTimeOffset.MinValue;

    private async Task MaintainAsync(CancellationToken cancellationToken)
    {
        await engine.IdAsync(cancellationToken);
        await sandbox.RefillWarmAsync(cancellationToken);
        if (time.GetUtcNow() >= _nextSweep)
        {
            _nextSweep = time.GetUtcNow() + TimeSpan.FromSeconds(options.Value.SweepSeconds);
            var kept = new Dictionary<Guid, WorkspaceSnapshotTaken>();
            foreach (var sessionId in await sandbox.ReapIdleAsync(TimeSpan.FromMinutes(options.Value.IdleMinutes), cancellationToken,
                options.Value.SnapshotOnExpiry ? (sessionId, containerId) => KeepAsync(sessionId, containerId, kept, cancellationToken) : null))
            {
                await bus.Publish(new ContainerRemoved
                {
                    SessionId = sessionId,
                    ExecutorId = options.Value.InstanceId,
                    Reason = ContainerStatuses.Expired,
                    Kept = kept.GetValueOrDefault(sessionId),
                }, cancellationToken);
            }

            foreach (var (sessionId, executorId) in await orphans.SweepAsync(cancellationToken))
            {
                await bus.Publish(new ContainerRemoved { SessionId = sessionId, ExecutorId = executorId, Reason = ContainerStatuses.Expired }, cancellationToken);
            }

            records.Prune();
        }
    }

    /// <summary>An expiring container's workspace, kept as a snapshot; one that cannot be is removed all the same, as without the setting.</summary>
    private async Task KeepAsync(Guid sessionId, string containerId, Dictionary<Guid, WorkspaceSnapshotTaken> kept, CancellationToken cancellationToken)
    {
        try
        {
            kept[sessionId] = await snapshots.TakeAsync(containerId, long.MaxValue, cancellationToken, withSkills: true);
        }
        catch (Exception e) when (e is FileOperationException or Docker.DotNet.DockerApiException or IOException)
        {
            LogNotKept(sessionId, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the expiring container's workspace could not be kept; it is removed without a snapshot")]
    private partial void LogNotKept(Guid sessionId, Exception exception);

    private async Task EveryAsync(TimeSpan period, Func<CancellationToken, Task> work, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period);
        do
        {
            try
            {
                await work(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A broker or engine hiccup must not end the loop: the next tick tries again.
                LogTickFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Executor {ExecutorId}: INSECURE: {Weakness}; model-written commands run with it (Executor:InsecureAllowWeakIsolation is set)")]
    private partial void LogWeakIsolation(string executorId, string weakness);

    [LoggerMessage(Level = LogLevel.Information, Message = "Executor {ExecutorId}: re-adopted {Count} session container(s)")]
    private partial void LogAdopted(string executorId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Executor background work failed; retrying on the next tick")]
    private partial void LogTickFailed(Exception exception);
}
