using System.Collections.Concurrent;
using Berth.Contracts;
using Berth.Planner.Executors;
using Berth.Planner.Responses;
using MassTransit;
using MassTransit.Saga;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Sessions;

/// <summary>
/// Ends what would otherwise wait for ever. A response past its deadline fails with
/// <c>timeout</c>; a session's first call that no executor has taken, while none has been heard
/// from for <c>NoExecutorSeconds</c>, fails with <c>no_executor</c>. Both go through the session,
/// so its next response starts; one the session has not ended a while later (its queue is stuck,
/// or its saga cannot take a step) is ended in the store directly.
/// </summary>
internal sealed partial class ResponseWatchdog(
    ExecutorRegistry executors,
    ResponseEnding ending,
    IResponseStore store,
    IBus bus,
    IServiceScopeFactory scopes,
    IOptions<PlannerOptions> options,
    TimeProvider time,
    ILogger<ResponseWatchdog> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, Told> _told = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.WatchdogSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(e);
            }
        }
    }

    /// <summary>One pass: tell sessions what has run out, and end what they were told of and did not end. Returns the responses told of now.</summary>
    public async Task<IReadOnlyList<string>> SweepAsync(CancellationToken cancellationToken)
    {
        var told = new List<string>();
        using var scope = scopes.CreateScope();
        var query = scope.ServiceProvider.GetService<IQuerySagaRepository<SessionState>>();
        var load = scope.ServiceProvider.GetService<ILoadSagaRepository<SessionState>>();
        if (query is null || load is null)
        {
            return told;
        }

        var settings = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var sessionId in await query.Find(new SagaQuery<SessionState>(s => s.ActiveResponseId != null && s.DeadlineAt < now)))
        {
            if (await load.Load(sessionId) is { ActiveResponseId: { } responseId })
            {
                await TellAsync(told, sessionId, responseId, ErrorCodes.Timeout,
                    "The response ran past its deadline (Planner:ResponseDeadlineMinutes, extended by its commands' timeouts) and was stopped.", cancellationToken);
            }
        }

        var noExecutorFor = TimeSpan.FromSeconds(settings.NoExecutorSeconds);
        if (!executors.AnyAlive(noExecutorFor))
        {
            var sentBefore = now - noExecutorFor;
            var waiting = await query.Find(new SagaQuery<SessionState>(s =>
                s.ActiveResponseId != null && s.ExecutorId == null && s.CallSentAt != null && s.CallSentAt < sentBefore));
            foreach (var sessionId in waiting)
            {
                if (await load.Load(sessionId) is { ActiveResponseId: { } responseId, ExecutorId: null })
                {
                    await TellAsync(told, sessionId, responseId, ErrorCodes.NoExecutor,
                        $"No executor has been heard from for {settings.NoExecutorSeconds} s, so nothing took this session's first call.", cancellationToken);
                }
            }
        }

        await EndUnansweredAsync(cancellationToken);
        return told;
    }

    private async Task TellAsync(List<string> told, Guid sessionId, string responseId, string code, string message, CancellationToken cancellationToken)
    {
        if (_told.ContainsKey(responseId))
        {
            return;
        }

        LogTelling(sessionId, responseId, code);
        var fail = new FailResponse { SessionId = sessionId, ResponseId = responseId, Code = code, Message = message };
        var sessions = await bus.GetSendEndpoint(Endpoints.Sessions);
        await sessions.Send(fail, cancellationToken);
        _told[responseId] = new Told(fail, time.GetUtcNow());
        told.Add(responseId);
    }

    /// <summary>The session had a sweep and more to end what it was told of; what is still running is ended here.</summary>
    private async Task EndUnansweredAsync(CancellationToken cancellationToken)
    {
        var patience = TimeSpan.FromSeconds(2 * options.Value.WatchdogSeconds);
        foreach (var (responseId, told) in _told)
        {
            var response = await store.FindAsync(responseId, cancellationToken);
            if (response is null || response.IsFinished)
            {
                _told.TryRemove(responseId, out _);
                continue;
            }

            if (time.GetUtcNow() - told.At >= patience)
            {
                LogEndedDirectly(told.Fail.SessionId, responseId, told.Fail.Code);
                await ending.EndNowAsync(bus, told.Fail.SessionId, responseId, ResponseStatuses.Failed,
                    new ResponseError(told.Fail.Code, told.Fail.Message), cancellationToken);
                _told.TryRemove(responseId, out _);
            }
        }
    }

    private sealed record Told(FailResponse Fail, DateTimeOffset At);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: response {ResponseId} fails with {Code}")]
    private partial void LogTelling(Guid sessionId, string responseId, string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId} did not end response {ResponseId} ({Code}) when told; ended it in the store directly")]
    private partial void LogEndedDirectly(Guid sessionId, string responseId, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watchdog sweep failed; retrying on the next tick")]
    private partial void LogSweepFailed(Exception exception);
}
