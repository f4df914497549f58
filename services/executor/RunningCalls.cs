using System.Collections.Concurrent;
using Berth.Contracts;
using MassTransit;

namespace Berth.Executor;

/// <summary>The shell calls this executor is running, so a cancel can find and stop one.</summary>
internal sealed class RunningCalls(TimeProvider time)
{
    private static readonly TimeSpan RememberCancels = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<string, Run> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _cancelledEarly = new(StringComparer.Ordinal);

    public Run Start(string callId, CancellationToken cancellationToken)
    {
        var run = new Run(this, callId, cancellationToken);
        _calls[callId] = run;
        if (_cancelledEarly.TryRemove(callId, out _))
        {
            run.Cancel();
        }

        return run;
    }

    /// <summary>
    /// Cancels the call if it runs here; otherwise remembers the cancel for a while, because it
    /// can overtake the call itself (still creating its container, or still queued here).
    /// </summary>
    public void Cancel(string callId)
    {
        if (_calls.TryGetValue(callId, out var run))
        {
            run.Cancel();
            return;
        }

        var now = time.GetUtcNow();
        _cancelledEarly[callId] = now;
        foreach (var (id, at) in _cancelledEarly)
        {
            if (now - at > RememberCancels)
            {
                _cancelledEarly.TryRemove(id, out _);
            }
        }
    }

    public sealed class Run(RunningCalls owner, string callId, CancellationToken cancellationToken) : IDisposable
    {
        private readonly CancellationTokenSource _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        /// <summary>Cancelled when the call is: no further command of it starts.</summary>
        public CancellationToken Token => _cancel.Token;

        public void Cancel() => _cancel.Cancel();

        public void Dispose()
        {
            owner._calls.TryRemove(new KeyValuePair<string, Run>(callId, this));
            _cancel.Dispose();
        }
    }
}
