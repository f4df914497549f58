using Berth.Contracts;
using MassTransit;

namespace Berth.Executor.Calls;

/// <summary>
/// Publishes the results of calls whose delivery was let go when its broker connection went: the
/// delivery cannot carry them, and RabbitMQ may not deliver the call again (if the let-go
/// delivery was acknowledged after all). Tried until the broker takes them, for as long as a
/// session could still be waiting; the planner ignores a result it has had already.
/// </summary>
internal sealed partial class LetGoResults(IBus bus, CommandLifetime lifetime, TimeProvider time, ILogger<LetGoResults> logger)
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan GiveUp = TimeSpan.FromMinutes(30);

    public void PublishWhenDone(Task<ToolCallCompleted?> run) => _ = PublishAsync(run);

    private async Task PublishAsync(Task<ToolCallCompleted?> run)
    {
        ToolCallCompleted? completed;
        try
        {
            completed = await run;
        }
        catch (Exception e)
        {
            LogRunFailed(e);
            return;
        }

        if (completed is null)
        {
            return;
        }

        var until = time.GetUtcNow() + GiveUp;
        while (time.GetUtcNow() < until && !lifetime.Token.IsCancellationRequested)
        {
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token);
                attempt.CancelAfter(TimeSpan.FromSeconds(10));
                await bus.Publish(completed, attempt.Token);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !lifetime.Token.IsCancellationRequested)
            {
                LogPublishRetry(completed.SessionId, completed.CallId, e.Message);
                await Task.Delay(Retry, time, CancellationToken.None);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A call whose delivery was let go ended in an error before its result was known")]
    private partial void LogRunFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}, call {CallId}: the result could not be published yet ({Reason}); trying again")]
    private partial void LogPublishRetry(Guid sessionId, string callId, string reason);
}
