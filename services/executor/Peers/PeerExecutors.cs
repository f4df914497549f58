using System.Collections.Concurrent;

namespace Berth.Executor.Peers;

/// <summary>
/// The other executors of the pool this one has heard a heartbeat from, and the engine each
/// runs on. Remembered as long as an executor's queue outlives it (<c>Executor:QueueExpiryMinutes</c>),
/// not only while it beats: a broker outage silences every heartbeat, and an executor that has
/// just died may be the one that started a call now delivered again.
/// </summary>
internal sealed class PeerExecutors(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (string? EngineId, DateTimeOffset HeardAt)> _peers = new(StringComparer.Ordinal);

    public void Heard(string executorId, string? engineId) => _peers[executorId] = (engineId, time.GetUtcNow());

    /// <summary>
    /// The executors heard within <paramref name="memory"/> whose engine is not <paramref name="engineId"/>
    /// (all of them while this executor does not know its own). Executors that do not say their
    /// engine predate the question and could not answer it, so they are left out.
    /// </summary>
    public IReadOnlyList<string> OnOtherEngines(string? engineId, TimeSpan memory)
    {
        var since = time.GetUtcNow() - memory;
        foreach (var (id, peer) in _peers)
        {
            if (peer.HeardAt < since)
            {
                _peers.TryRemove(new KeyValuePair<string, (string?, DateTimeOffset)>(id, peer));
            }
        }

        return [.. _peers.Where(p => p.Value.EngineId is not null && (engineId is null || p.Value.EngineId != engineId)).Select(p => p.Key)];
    }
}
