using Berth.Executor;
using Berth.Executor.Sandbox;
using Microsoft.Extensions.Options;

namespace Berth.UnitTests.Executor;

public sealed class BackgroundCpuTests
{
    private const ulong Second = 1_000_000_000;
    private static readonly Guid Session = Guid.NewGuid();

    private readonly BackgroundCpu _accounts = new(Options.Create(new ExecutorOptions { BackgroundCpuSeconds = 3 }));

    private static HeldContainer Idle(long calls = 1) => new(Session, "container", Busy: false, calls);

    [Fact]
    public void Should_end_what_was_left_running_when_cpu_used_between_calls_passes_the_budget()
    {
        Assert.False(_accounts.Observe(Idle(), 10 * Second));
        Assert.False(_accounts.Observe(Idle(), 12 * Second));
        Assert.False(_accounts.Observe(Idle(), 13 * Second));

        Assert.True(_accounts.Observe(Idle(), 14 * Second + 1));
    }

    [Fact]
    public void Should_not_count_cpu_used_when_a_call_began_between_two_looks()
    {
        Assert.False(_accounts.Observe(Idle(calls: 1), 0));
        Assert.False(_accounts.Observe(Idle(calls: 2), 10 * Second));
        Assert.False(_accounts.Observe(Idle(calls: 2), 12 * Second));

        Assert.True(_accounts.Observe(Idle(calls: 2), 14 * Second));
    }

    [Fact]
    public void Should_not_count_cpu_used_while_a_call_runs()
    {
        Assert.False(_accounts.Observe(Idle(), 0));
        Assert.False(_accounts.Observe(new HeldContainer(Session, "container", Busy: true, 1), null));
        Assert.False(_accounts.Observe(Idle(), 100 * Second));
        Assert.False(_accounts.Observe(Idle(), 102 * Second));
    }

    [Fact]
    public void Should_end_what_keeps_the_cpu_busy_again_but_leave_a_sleeper_when_the_budget_is_spent()
    {
        _accounts.Observe(Idle(), 0);
        Assert.True(_accounts.Observe(Idle(), 4 * Second));

        Assert.False(_accounts.Observe(Idle(), 4 * Second + (ulong)(BackgroundCpu.SpentSlackSeconds * Second / 2)));
        Assert.True(_accounts.Observe(Idle(), 6 * Second));
    }

    [Fact]
    public void Should_tell_the_next_call_once_how_many_processes_were_ended()
    {
        _accounts.Observe(Idle(), 0);
        _accounts.Observe(Idle(), 4 * Second);

        _accounts.Ended(Session, 9);

        Assert.True(_accounts.HasNotice(Session));
        var notice = _accounts.TakeNotice(Session);
        Assert.NotNull(notice);
        Assert.StartsWith("[berth: processes left running after this session's commands returned used 4 s of CPU, past the session's budget of 3 s; 9 processes were ended.", notice, StringComparison.Ordinal);
        Assert.Null(_accounts.TakeNotice(Session));
    }

    [Fact]
    public void Should_forget_a_session_when_its_container_is_no_longer_held()
    {
        _accounts.Observe(Idle(), 0);
        _accounts.Ended(Session, CommandResult.UnknownCount);

        _accounts.KeepOnly([]);

        Assert.Equal(0, _accounts.Sessions);
        Assert.False(_accounts.HasNotice(Session));
    }
}
