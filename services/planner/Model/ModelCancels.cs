using System.Collections.Concurrent;

namespace Berth.Planner.Model;

/// <summary>
/// The responses this planner heard were cancelled, remembered for an hour: a question for one
/// of them still waiting in the model-call queue is not asked, and text still streaming from its
/// model is not relayed. An hour is past any wait in the queue that a deadline (by default an
/// hour) would not end anyway.
/// </summary>
internal sealed class ModelCancels(TimeProvider time)
{
    private static readonly TimeSpan Kept = TimeSpan.FromHours(1);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _cancelled = new(StringComparer.Ordinal);
    private long _lastPrune;

    public void Remember(string responseId)
    {
        Prune();
        _cancelled[responseId] = time.GetUtcNow();
    }

    public bool IsCancelled(string responseId) => _cancelled.ContainsKey(responseId);

    private void Prune()
    {
        // Two callers pruning at once is harmless on a concurrent dictionary.
        var now = time.GetUtcNow();
        if (now.UtcTicks - Volatile.Read(ref _lastPrune) < PruneEvery.Ticks)
        {
            return;
        }

        Volatile.Write(ref _lastPrune, now.UtcTicks);
        foreach (var (responseId, at) in _cancelled)
        {
            if (now - at > Kept)
            {
                _cancelled.TryRemove(responseId, out _);
            }
        }
    }
}
