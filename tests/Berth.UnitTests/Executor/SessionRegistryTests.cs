using Berth.Executor;
using Berth.Executor.Sandbox;
using Microsoft.Extensions.Time.Testing;

namespace Berth.UnitTests.Executor;

public sealed class SessionRegistryTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), $"berth-registry-{Guid.NewGuid():N}");
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-12-03T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly SessionRegistry _sessions;

    public SessionRegistryTests()
    {
        var settings = new ExecutorOptions { InstanceId = "exec-1", StateDirectory = _state };
        _sessions = new SessionRegistry(new IdleLimits(settings), new UploadRecords(settings), _clock);
    }

    public void Dispose()
    {
        if (Directory.Exists(_state))
        {
            Directory.Delete(_state, recursive: true);
        }
    }

    [Fact]
    public void Should_count_a_session_used_when_it_gets_its_container_and_again_when_a_call_ends()
    {
        var session = Guid.NewGuid();
        _sessions.Hold(session, "c1");
        var held = _clock.GetUtcNow();

        _clock.Advance(TimeSpan.FromMinutes(5));
        using (_sessions.Use(session))
        {
            _clock.Advance(TimeSpan.FromMinutes(30));
            Assert.True(_sessions.Busy(session));
        }

        Assert.Equal(held + TimeSpan.FromMinutes(35), _sessions.LastUsedOf(session));
        Assert.Equal([new HeldContainer(session, "c1", false, 1)], _sessions.Held());
    }

    [Fact]
    public void Should_keep_a_running_calls_use_counted_when_its_container_is_forgotten()
    {
        var session = Guid.NewGuid();
        _sessions.Hold(session, "c1");
        var call = _sessions.Use(session);

        _sessions.Forget(session);

        Assert.False(_sessions.Holds(session));
        Assert.Equal(0, _sessions.Count);
        Assert.True(_sessions.Busy(session));
        call.Dispose();
        Assert.False(_sessions.Busy(session));

        // The ended call leaves a use without a container, which the reaper lets go.
        Assert.Contains(_sessions.LastUses(), use => use.SessionId == session);
        _sessions.ForgetUse(session);
        Assert.DoesNotContain(_sessions.LastUses(), use => use.SessionId == session);
    }

    [Fact]
    public void Should_give_each_session_its_own_idle_limit_or_the_default()
    {
        var custom = Guid.NewGuid();
        _sessions.SetIdleLimit(custom, TimeSpan.FromMinutes(90));

        Assert.Equal(TimeSpan.FromMinutes(90), _sessions.IdleLimitOf(custom, TimeSpan.FromMinutes(20)));
        Assert.Equal(TimeSpan.FromMinutes(20), _sessions.IdleLimitOf(Guid.NewGuid(), TimeSpan.FromMinutes(20)));
    }
}
