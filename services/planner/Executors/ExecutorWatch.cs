using Berth.Contracts;
using Berth.Planner.Sessions;
using MassTransit;
using MassTransit.Saga;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Executors;

/// <summary>
/// Declares executors lost. One that stops sending heartbeats for <c>ExecutorTimeoutSeconds</c>
/// is reported, and so is one that a session is waiting on but this planner has never heard
/// from since it started (it died while no planner was listening). The sessions it held then
/// fail their running call with <c>container_lost</c>; nothing waits forever on a dead executor.
/// Silence alone is not proof, as a broker restart silences every executor at once: an
/// executor is reported only once its lock on the broker is gone too (<see cref="ExecutorLocks"/>),
/// and not until the broker has answered this planner for two timeouts, in which a live
/// executor has reconnected and taken its lock back (its identity retries every 2 s).
/// </summary>
internal sealed partial class ExecutorWatch(
    ExecutorRegistry registry,
    ExecutorLocks locks,
    IBus bus,
    IServiceScopeFactory scopes,
    IOptions<PlannerOptions> options,
    TimeProvider time,
    ILogger<ExecutorWatch> logger) : BackgroundService
{
    private DateTimeOffset _brokerLastUnanswered = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var timeout = TimeSpan.FromSeconds(settings.ExecutorTimeoutSeconds);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(settings.ExecutorSweepSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                foreach (var (executorId, lastSeen) in registry.TakeSilent(timeout))
                {
                    if (await IsGoneAsync(executorId, timeout, stoppingToken))
                    {
                        LogLost(executorId, lastSeen);
                        await ReportAsync(new ExecutorLost { ExecutorId = executorId, LastSeenAt = lastSeen }, stoppingToken);
                    }
                }

                if (time.GetUtcNow() - registry.ListeningSince > timeout)
                {
                    await ReportUnheardExecutorsAsync(stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(e);
            }
        }
    }

    private async Task ReportUnheardExecutorsAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var query = scope.ServiceProvider.GetService<IQuerySagaRepository<SessionState>>();
        var load = scope.ServiceProvider.GetService<ILoadSagaRepository<SessionState>>();
        if (query is null || load is null)
        {
            return;
        }

        var acting = await query.Find(new SagaQuery<SessionState>(s => s.CurrentState == nameof(SessionStateMachine.Acting) && s.ExecutorId != null));
        foreach (var sessionId in acting)
        {
            var session = await load.Load(sessionId);
            if (session?.ExecutorId is { } executorId && registry.TryReportUnheard(executorId)
                && await IsGoneAsync(executorId, TimeSpan.FromSeconds(options.Value.ExecutorTimeoutSeconds), cancellationToken))
            {
                LogLost(executorId, null);
                await ReportAsync(new ExecutorLost { ExecutorId = executorId }, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Whether a silent executor is gone for sure. Not while its lock is held (it is alive, only
    /// unheard), nor while the broker cannot be asked or answered only a moment ago: each of
    /// those leaves it to a later sweep.
    /// </summary>
    private async Task<bool> IsGoneAsync(string executorId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        bool held;
        try
        {
            held = await locks.IsHeldAsync(executorId, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _brokerLastUnanswered = time.GetUtcNow();
            LogBrokerUnanswered(executorId, e.Message);
            registry.ReportFailed(executorId);
            return false;
        }

        if (held)
        {
            LogSilentButHeld(executorId);
            registry.Heard(executorId);
            return false;
        }

        if (time.GetUtcNow() - _brokerLastUnanswered < 2 * timeout)
        {
            registry.ReportFailed(executorId);
            return false;
        }

        return true;
    }

    /// <summary>Publishes a loss; one that cannot be published now is reported again on the next sweep, never dropped.</summary>
    private async Task ReportAsync(ExecutorLost lost, CancellationToken cancellationToken)
    {
        try
        {
            await bus.Publish(lost, cancellationToken);
        }
        catch (Exception e)
        {
            // Each report on its own: one that fails must not leave the others of the same
            // sweep marked reported and never published.
            registry.ReportFailed(lost.ExecutorId);
            if (e is OperationCanceledException)
            {
                throw;
            }

            LogReportFailed(e, lost.ExecutorId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Executor {ExecutorId} is lost (last heard {LastSeen}); its sessions' running calls fail with container_lost")]
    private partial void LogLost(string executorId, DateTimeOffset? lastSeen);

    [LoggerMessage(Level = LogLevel.Information, Message = "Executor {ExecutorId} is silent, but the broker cannot be asked whether it holds its lock ({Reason}); asked again on a later sweep")]
    private partial void LogBrokerUnanswered(string executorId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Executor {ExecutorId} is silent but still holds its lock on the broker: alive, not lost")]
    private partial void LogSilentButHeld(string executorId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Executor {ExecutorId}'s loss could not be published; reported again on the next sweep")]
    private partial void LogReportFailed(Exception exception, string executorId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Executor sweep failed; retrying on the next tick")]
    private partial void LogSweepFailed(Exception exception);
}
