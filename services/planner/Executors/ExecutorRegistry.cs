using System.Collections.Concurrent;
using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Executors;

/// <summary>When each executor was last heard from, as this planner instance saw it.</summary>
internal sealed class ExecutorRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Seen> _executors = new(StringComparer.Ordinal);

    private long _lastHeartbeatTicks;
    private long _listeningSinceTicks = time.GetUtcNow().UtcTicks;

    /// <summary>
    /// Since when this planner has heard heartbeats without a break: its start, or the moment its
    /// heartbeat queue was consuming again after the broker came back. Silence before that is
    /// the planner's own deafness, not the executors'.
    /// </summary>
    public DateTimeOffset ListeningSince => new(Interlocked.Read(ref _listeningSinceTicks), TimeSpan.Zero);

    /// <summary>The heartbeat queue consumes (again): executors' silence counts from now.</summary>
    public void Listening() => Interlocked.Exchange(ref _listeningSinceTicks, time.GetUtcNow().UtcTicks);

    /// <param name="images">The sandbox images it serves, from its heartbeat; null keeps what it said before (the default alone if nothing).</param>
    public void Heard(string executorId, IReadOnlyList<string>? images = null)
    {
        var now = time.GetUtcNow();
        _executors.AddOrUpdate(executorId,
            _ => new Seen(now, Reported: false, images ?? [SandboxImages.Default]),
            (_, before) => new Seen(now, Reported: false, images ?? before.Images));
        Interlocked.Exchange(ref _lastHeartbeatTicks, now.UtcTicks);
    }

    /// <summary>
    /// Whether some executor has sent a heartbeat within <paramref name="window"/>. A planner that
    /// has not been listening that long (just started, or back from a broker outage) has not had
    /// the time to hear one, and assumes so.
    /// </summary>
    /// <param name="image">A sandbox image some executor heard from must serve; null for any executor.</param>
    public bool AnyAlive(TimeSpan window, string? image = null)
    {
        var since = time.GetUtcNow() - window;
        if (ListeningSince > since)
        {
            return true;
        }

        return image is null or SandboxImages.Default
            ? Interlocked.Read(ref _lastHeartbeatTicks) > since.UtcTicks
            : _executors.Values.Any(seen => seen.At > since && seen.Images.Contains(image, StringComparer.Ordinal));
    }

    /// <summary>
    /// For an executor a session waits on that this planner has never heard from: records it as
    /// reported and returns true, once. False when it is known (alive, or reported already).
    /// </summary>
    public bool TryReportUnheard(string executorId) => _executors.TryAdd(executorId, new Seen(time.GetUtcNow(), Reported: true, [SandboxImages.Default]));

    /// <summary>Executors silent for longer than the timeout and not reported yet; each is reported once until it is heard again.</summary>
    public IReadOnlyList<(string ExecutorId, DateTimeOffset LastSeen)> TakeSilent(TimeSpan timeout)
    {
        var cutoff = time.GetUtcNow() - timeout;
        var silent = new List<(string, DateTimeOffset)>();
        foreach (var (id, seen) in _executors)
        {
            if (!seen.Reported && seen.At < cutoff && _executors.TryUpdate(id, seen with { Reported = true }, seen))
            {
                silent.Add((id, seen.At));
            }
        }

        return silent;
    }

    /// <summary>
    /// The report of an executor could not be published (the broker was away): it counts as not
    /// reported, so the next sweep reports it again, unless it has been heard from meanwhile.
    /// </summary>
    public void ReportFailed(string executorId)
    {
        if (_executors.TryGetValue(executorId, out var seen) && seen.Reported)
        {
            _executors.TryUpdate(executorId, seen with { Reported = false }, seen);
        }
    }

    private sealed record Seen(DateTimeOffset At, bool Reported, IReadOnlyList<string> Images);
}
