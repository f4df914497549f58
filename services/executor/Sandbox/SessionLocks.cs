namespace Berth.Executor.Sandbox;

/// <summary>
/// One lock per session, for making, finding and removing its container. An entry lives only
/// while someone holds or awaits its lock, so the table holds the sessions being worked on, not
/// every session the executor ever saw. (No package served here does keyed async locks;
/// <c>AsyncKeyedLock</c> would.)
/// </summary>
internal sealed class SessionLocks
{
    private readonly Dictionary<Guid, Entry> _entries = [];

    /// <summary>Sessions with a lock held or awaited now.</summary>
    public int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Waits for the session's lock; disposing the result lets it go.</summary>
    public async Task<IDisposable> TakeAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        Entry? entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(sessionId, out entry))
            {
                entry = new Entry();
                _entries[sessionId] = entry;
            }

            entry.Users++;
        }

        try
        {
            await entry.Gate.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(sessionId, entry);
            throw;
        }

        return new Held(this, sessionId, entry);
    }

    private void Leave(Guid sessionId, Entry entry)
    {
        lock (_entries)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(sessionId);
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Holders and waiters; changed only under the table's lock.</summary>
        public int Users { get; set; }
    }

    private sealed class Held(SessionLocks locks, Guid sessionId, Entry entry) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                entry.Gate.Release();
                locks.Leave(sessionId, entry);
            }
        }
    }
}
