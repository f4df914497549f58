using System.Collections.Concurrent;
using Berth.Contracts;

namespace Berth.Executor.Calls;

/// <summary>
/// The shell calls this executor has taken, by session and call id, so that however often
/// RabbitMQ delivers one (a redelivery after a broker restart, or a first call passed on by
/// another executor that found the session's container here), its commands run once: a repeat
/// waits for the running call and is answered with its result. Kept in the executor's own
/// memory, out of the sandbox's reach, for <see cref="Keep"/> and within a byte budget; the
/// oldest results go first.
/// </summary>
internal sealed class CallJournal(TimeProvider time)
{
    public static readonly TimeSpan Keep = TimeSpan.FromMinutes(15);
    private const long ByteBudget = 64L * 1024 * 1024;

    private readonly ConcurrentDictionary<(Guid SessionId, string CallId), Entry> _calls = new();
    // Finished calls in the order they finished, the oldest first out.
    private readonly ConcurrentQueue<((Guid, string) Key, Entry Entry)> _finished = new();
    private long _bytes;

    /// <summary>
    /// Takes the call. Null: it is this delivery's to run, and <see cref="Complete"/> or
    /// <see cref="Abandon"/> must follow. Otherwise the task of the run already under way or done:
    /// its result, or null if that run gave the call back without a result.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "VSTHRD200", Justification = "Begin is synchronous: it takes the call at once; the task it may return is an earlier run's.")]
    public Task<ToolCallCompleted?>? Begin(Guid sessionId, string callId)
    {
        var entry = new Entry();
        var taken = _calls.GetOrAdd((sessionId, callId), entry);
        return ReferenceEquals(taken, entry) ? null : taken.Result.Task;
    }

    /// <summary>Whether this executor has taken the call and still remembers it, running or done.</summary>
    public bool Knows(Guid sessionId, string callId) => _calls.ContainsKey((sessionId, callId));

    public void Complete(ToolCallCompleted result)
    {
        if (!_calls.TryGetValue((result.SessionId, result.CallId), out var entry))
        {
            return;
        }

        entry.Bytes = result.Outputs.Sum(o => (long)(o.Stdout.Length + o.Stderr.Length) * sizeof(char)) + 512;
        entry.DoneAt = time.GetUtcNow();
        Interlocked.Add(ref _bytes, entry.Bytes);
        _finished.Enqueue(((result.SessionId, result.CallId), entry));
        entry.Result.TrySetResult(result);
        Prune();
    }

    /// <summary>The run gave the call back without running it (sent on to another executor, or back to the pool): a later delivery may take it.</summary>
    public void Abandon(Guid sessionId, string callId)
    {
        if (_calls.TryRemove((sessionId, callId), out var entry))
        {
            entry.Result.TrySetResult(null);
        }
    }

    private void Prune()
    {
        var cutoff = time.GetUtcNow() - Keep;
        while (_finished.TryPeek(out var oldest) && (oldest.Entry.DoneAt < cutoff || Interlocked.Read(ref _bytes) > ByteBudget)
            && _finished.TryDequeue(out oldest))
        {
            Interlocked.Add(ref _bytes, -oldest.Entry.Bytes);
            _calls.TryRemove(new KeyValuePair<(Guid, string), Entry>(oldest.Key, oldest.Entry));
        }
    }

    private sealed class Entry
    {
        public TaskCompletionSource<ToolCallCompleted?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DateTimeOffset? DoneAt { get; set; }

        public long Bytes { get; set; }
    }
}
