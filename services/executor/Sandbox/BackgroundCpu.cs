using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Each session's account of the CPU its processes used while none of its calls ran: what
/// commands left running in the background after they returned. A session may spend
/// <see cref="ExecutorOptions.BackgroundCpuSeconds"/> so, over its life; past that, what it left
/// running is ended (by <see cref="BackgroundCpuWatch"/>), and again whenever more is found
/// keeping the CPU busy. The session's next call says so in its output.
/// </summary>
internal sealed class BackgroundCpu(IOptions<ExecutorOptions> options)
{
    /// <summary>Once the budget is spent: CPU seconds between two looks that count as still busy, below which a sleeping server is left alone.</summary>
    public const double SpentSlackSeconds = 0.5;

    private readonly ConcurrentDictionary<Guid, Account> _accounts = new();
    private readonly ConcurrentDictionary<Guid, string> _notices = new();

    private sealed class Account
    {
        public ulong? Usage { get; set; }

        public long Calls { get; set; }

        public double Seconds { get; set; }

        public bool Spent { get; set; }
    }

    /// <summary>
    /// Takes one look at a session's container: the CPU its processes have used in all, or null
    /// when a call runs (the container was not looked at). Only the CPU used between two looks
    /// with no call running, or begun, in between counts. True when what the session left running
    /// must be ended now.
    /// </summary>
    public bool Observe(HeldContainer held, ulong? usageNanoseconds)
    {
        var account = _accounts.GetOrAdd(held.SessionId, _ => new Account());
        lock (account)
        {
            var idle = !held.Busy && usageNanoseconds is { } now && account.Usage is { } before && now >= before && held.Calls == account.Calls;
            var used = idle ? (usageNanoseconds!.Value - account.Usage!.Value) / 1e9 : 0;
            account.Usage = held.Busy ? null : usageNanoseconds;
            account.Calls = held.Calls;
            account.Seconds += used;
            if (account.Spent)
            {
                return used > SpentSlackSeconds;
            }

            account.Spent = account.Seconds > options.Value.BackgroundCpuSeconds;
            return account.Spent;
        }
    }

    /// <summary>What was left running has been ended: the session's next call is told.</summary>
    /// <param name="ended">How many processes, or <see cref="CommandResult.UnknownCount"/>.</param>
    public void Ended(Guid sessionId, int ended)
    {
        var seconds = _accounts.TryGetValue(sessionId, out var account) ? account.Seconds : 0;
        var what = ended == CommandResult.UnknownCount ? "the processes" : ended == 1 ? "1 process" : $"{ended} processes";
        _notices[sessionId] = string.Create(CultureInfo.InvariantCulture,
            $"[berth: processes left running after this session's commands returned used {seconds:0.#} s of CPU, past the session's budget of {options.Value.BackgroundCpuSeconds:0.#} s; {what} were ended. From now on what is left running is ended whenever it keeps the CPU busy.]\n");
    }

    /// <summary>Whether the session's next call has a notice waiting.</summary>
    public bool HasNotice(Guid sessionId) => _notices.ContainsKey(sessionId);

    /// <summary>The notice for the session's next call, once.</summary>
    public string? TakeNotice(Guid sessionId) => _notices.TryRemove(sessionId, out var notice) ? notice : null;

    /// <summary>Forgets the sessions whose containers this executor no longer holds.</summary>
    public void KeepOnly(IReadOnlyCollection<Guid> held)
    {
        foreach (var sessionId in _accounts.Keys.Except(held))
        {
            _accounts.TryRemove(sessionId, out _);
            _notices.TryRemove(sessionId, out _);
        }
    }

    /// <summary>How many sessions are accounted for.</summary>
    public int Sessions => _accounts.Count;
}
