using System.Collections.Concurrent;

namespace Berth.Executor.Sandbox;

/// <summary>
/// The sessions this executor holds containers for, one record each: its container, when it was
/// last used, and how many calls run in it now and have begun in all. With them, each session's
/// idle limit and uploaded files, which outlive a restart on disk and are forgotten with the
/// container.
/// </summary>
internal sealed class SessionRegistry(IdleLimits idleLimits, UploadRecords uploads, TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, Record> _sessions = new();

    /// <summary>Which files of each held container its tenant uploaded.</summary>
    public UploadRecords Uploads => uploads;

    public int Count => _sessions.Values.Count(r => r.ContainerId is not null);

    public bool Holds(Guid sessionId) => ContainerOf(sessionId) is not null;

    public string? ContainerOf(Guid sessionId) => _sessions.TryGetValue(sessionId, out var record) ? record.ContainerId : null;

    public IReadOnlyCollection<Guid> Sessions => [.. _sessions.Where(s => s.Value.ContainerId is not null).Select(s => s.Key)];

    /// <summary>Records the session's container; a session seen for the first time counts as used now.</summary>
    public void Hold(Guid sessionId, string containerId)
    {
        var record = _sessions.GetOrAdd(sessionId, _ => new Record());
        record.ContainerId = containerId;
        record.LastUsed ??= time.GetUtcNow();
    }

    /// <summary>Marks the session busy until disposed: its container is never reaped while a call runs, however long.</summary>
    public IDisposable Use(Guid sessionId)
    {
        var record = _sessions.GetOrAdd(sessionId, _ => new Record());
        record.Begin();
        record.LastUsed = time.GetUtcNow();
        return new Lease(record, time);
    }

    public bool Busy(Guid sessionId) => _sessions.TryGetValue(sessionId, out var record) && record.Busy;

    /// <summary>The session containers this executor holds, each with whether a call runs there and how many have begun.</summary>
    public IReadOnlyList<HeldContainer> Held() =>
        [.. _sessions.Where(s => s.Value.ContainerId is not null).Select(s => new HeldContainer(s.Key, s.Value.ContainerId!, s.Value.Busy, s.Value.Begun))];

    /// <summary>Every session with a last use, and when that was.</summary>
    public IReadOnlyList<(Guid SessionId, DateTimeOffset LastUsed)> LastUses() =>
        [.. _sessions.Where(s => s.Value.LastUsed is not null).Select(s => (s.Key, s.Value.LastUsed!.Value))];

    public DateTimeOffset? LastUsedOf(Guid sessionId) => _sessions.TryGetValue(sessionId, out var record) ? record.LastUsed : null;

    public TimeSpan IdleLimitOf(Guid sessionId, TimeSpan fallback) => idleLimits.Of(sessionId, fallback);

    public void SetIdleLimit(Guid sessionId, TimeSpan idle) => idleLimits.Set(sessionId, idle);

    /// <summary>Drops a use of a session that never got a container (its call failed to start): there is nothing to remove.</summary>
    public void ForgetUse(Guid sessionId)
    {
        if (_sessions.TryGetValue(sessionId, out var record))
        {
            record.LastUsed = null;
            RemoveIfIdle(sessionId, record);
        }
    }

    /// <summary>Forgets a container that is gone; a call still running keeps its use counted until it ends.</summary>
    public void Forget(Guid sessionId)
    {
        idleLimits.Remove(sessionId);
        uploads.Forget(sessionId);
        if (_sessions.TryGetValue(sessionId, out var record))
        {
            record.ContainerId = null;
            record.LastUsed = null;
            RemoveIfIdle(sessionId, record);
        }
    }

    /// <summary>After adopting containers at start-up: idle limits and uploads of sessions not held any more are forgotten.</summary>
    public void KeepOnlyHeld()
    {
        var held = Sessions;
        idleLimits.KeepOnly(held);
        uploads.KeepOnly(held);
    }

    private void RemoveIfIdle(Guid sessionId, Record record)
    {
        if (!record.Busy && record.ContainerId is null)
        {
            _sessions.TryRemove(new KeyValuePair<Guid, Record>(sessionId, record));
        }
    }

    private sealed class Record
    {
        private int _running;
        private long _begun;

        public string? ContainerId { get; set; }

        public DateTimeOffset? LastUsed { get; set; }

        public bool Busy => Volatile.Read(ref _running) > 0;

        public long Begun => Interlocked.Read(ref _begun);

        public void Begin()
        {
            Interlocked.Increment(ref _running);
            Interlocked.Increment(ref _begun);
        }

        public void End() => Interlocked.Decrement(ref _running);
    }

    private sealed class Lease(Record record, TimeProvider time) : IDisposable
    {
        public void Dispose()
        {
            record.LastUsed = time.GetUtcNow();
            record.End();
        }
    }
}
