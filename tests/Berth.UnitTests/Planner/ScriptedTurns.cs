using System.Collections.Concurrent;
using Berth.Contracts;
using Berth.Planner.Model;

namespace Berth.UnitTests.Planner;

/// <summary>
/// An in-memory stand-in for the model, for saga tests: each step waits until the test answers
/// it, as a model that is still thinking. (The real caller meets a real HTTP model server in
/// <see cref="ModelCallerTests"/>.)
/// </summary>
public sealed class ScriptedTurns : IModelCaller
{
    private readonly ConcurrentDictionary<(string ResponseId, int Step), Pending> _steps = new();
    /// <summary>Once set, how every question is settled, those still open and those to come.</summary>
    private volatile Action<Pending>? _settleEvery;

    /// <summary>Every question asked, in order, including those asked again.</summary>
    public ConcurrentQueue<(Guid SessionId, string ResponseId, int Step)> Asked { get; } = new();

    /// <summary>Throws instead of answering, as a bug in the caller would.</summary>
    public bool Crash { get; set; }

    public async Task<ModelTurn> AskAsync(Guid sessionId, string responseId, int stepNumber, CancellationToken cancellationToken)
    {
        Asked.Enqueue((sessionId, responseId, stepNumber));
        var pending = PendingOf(responseId, stepNumber);
        pending.Asked.TrySetResult(sessionId);
        if (Crash)
        {
            throw new InvalidOperationException("model caller bug");
        }

        try
        {
            return await pending.Answer.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            pending.Cancelled.TrySetResult();
            throw;
        }
    }

    /// <summary>Waits until the model is asked for this step; returns the session it was asked for.</summary>
    public Task<Guid> AskedAsync(string responseId, int step) =>
        PendingOf(responseId, step).Asked.Task.WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>Completes when the question for this step was withdrawn while the model thought.</summary>
    public Task CancelledAsync(string responseId, int step) =>
        PendingOf(responseId, step).Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));

    public void Answer(string responseId, int step, ModelTurn turn) => PendingOf(responseId, step).Answer.TrySetResult(turn);

    /// <summary>From now on every question, open or to come, is answered with this text and no call: each response ends.</summary>
    public void AnswerEveryQuestion(string text)
    {
        var answer = new ModelTurn { Text = text, Usage = new TokenUsage(1, 1) };
        SettleEvery(pending => pending.Answer.TrySetResult(answer));
    }

    /// <summary>
    /// Ends every question still open, so no session step is left waiting when the test's bus
    /// stops; one asked after (the next response of a session, once the one before failed) fails too.
    /// </summary>
    public void GiveUp() => SettleEvery(pending => pending.Answer.TrySetException(new InvalidOperationException("the test ended before the model answered")));

    private void SettleEvery(Action<Pending> settle)
    {
        _settleEvery = settle;
        foreach (var pending in _steps.Values)
        {
            settle(pending);
        }
    }

    public int TimesAsked(string responseId, int step) => Asked.Count(a => a.ResponseId == responseId && a.Step == step);

    private Pending PendingOf(string responseId, int step) => _steps.GetOrAdd((responseId, step), _ =>
    {
        var pending = new Pending();
        _settleEvery?.Invoke(pending);
        return pending;
    });

    private sealed class Pending
    {
        public TaskCompletionSource<Guid> Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource<ModelTurn> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
