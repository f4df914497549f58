using System.Collections.Concurrent;
using Berth.Contracts;

namespace Berth.Planner.Model;

/// <summary>
/// The model calls of this planner (<see cref="AskModelConsumer"/>), and what a call off the
/// session needs:
/// <list type="bullet">
/// <item>an answer is kept for a while, so an <c>AskModel</c> delivered again (its answer could
/// not be sent, and the consumer retried) takes the same answer instead of asking (and paying)
/// again;</item>
/// <item>a cancel stops a call in flight (<see cref="ModelCallCanceller"/>), and one that came
/// first stops the call from being made;</item>
/// <item>a bug in the caller becomes a failed turn, so the response fails with the reason
/// instead of its question being retried into the error queue.</item>
/// </list>
/// </summary>
internal sealed partial class ModelTurns(IModelCaller model, ModelCancels cancels, TimeProvider time, ILogger<ModelTurns> logger)
{
    /// <summary>Well past a call's retries (under 2 s in all), short enough to hold little.</summary>
    private static readonly TimeSpan Kept = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<(string ResponseId, int Step), (ModelTurn Turn, DateTimeOffset At)> _answers = new();
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _inFlight = new(StringComparer.Ordinal);
    private long _lastPrune;

    /// <summary>The model's answer for this step, or null if the response was cancelled before it came.</summary>
    public async Task<ModelTurn?> AskAsync(Guid sessionId, string responseId, int step, CancellationToken cancellationToken)
    {
        Prune();
        if (_answers.TryGetValue((responseId, step), out var kept))
        {
            return kept.Turn;
        }

        using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _inFlight[responseId] = call;
        try
        {
            // Checked after the call is registered, so a cancel is either seen here or cancels the call.
            if (cancels.IsCancelled(responseId))
            {
                return null;
            }

            ModelTurn turn;
            try
            {
                turn = await model.AskAsync(sessionId, responseId, step, call.Token);
            }
            catch (OperationCanceledException) when (call.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogCallerFailed(e, responseId, step);
                turn = ModelTurn.Failed(ErrorCodes.ServerError, $"The model call failed inside Berth: {e.Message}");
            }

            _answers[(responseId, step)] = (turn, time.GetUtcNow());

            // The step before this one was applied by the session, or this one would not have been asked for.
            _answers.TryRemove((responseId, step - 1), out _);
            return turn;
        }
        finally
        {
            _inFlight.TryRemove(KeyValuePair.Create(responseId, call));
        }
    }

    /// <summary>Stops the response's model call if one is in flight here, and any it would make next.</summary>
    public void Cancel(string responseId)
    {
        cancels.Remember(responseId);
        if (_inFlight.TryGetValue(responseId, out var call))
        {
            try
            {
                call.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The call ended between the lookup and the cancel: nothing left to stop.
            }
        }
    }

    private void Prune()
    {
        // At most every 10 s; two steps pruning at once is harmless on concurrent dictionaries.
        var now = time.GetUtcNow();
        if (now.UtcTicks - Volatile.Read(ref _lastPrune) < TimeSpan.TicksPerSecond * 10)
        {
            return;
        }

        Volatile.Write(ref _lastPrune, now.UtcTicks);

        foreach (var (key, value) in _answers)
        {
            if (now - value.At > Kept)
            {
                _answers.TryRemove(key, out _);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The model caller failed for {ResponseId} step {Step}")]
    private partial void LogCallerFailed(Exception exception, string responseId, int step);
}
