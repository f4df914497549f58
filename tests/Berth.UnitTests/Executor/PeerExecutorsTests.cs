using Berth.Executor.Peers;
using Microsoft.Extensions.Time.Testing;

namespace Berth.UnitTests.Executor;

public sealed class PeerExecutorsTests
{
    private static readonly TimeSpan Memory = TimeSpan.FromMinutes(10);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public void Should_name_only_the_executors_on_other_engines_when_asked_by_one_that_knows_its_engine()
    {
        var peers = new PeerExecutors(_clock);
        peers.Heard("same", "engine-a");
        peers.Heard("other", "engine-b");

        Assert.Equal(["other"], peers.OnOtherEngines("engine-a", Memory));
    }

    [Fact]
    public void Should_name_every_executor_that_says_its_engine_when_the_asker_does_not_know_its_own()
    {
        var peers = new PeerExecutors(_clock);
        peers.Heard("a", "engine-a");
        peers.Heard("b", "engine-b");

        Assert.Equal(["a", "b"], peers.OnOtherEngines(null, Memory).Order());
    }

    [Fact]
    public void Should_leave_out_executors_that_do_not_say_their_engine_when_they_predate_the_question()
    {
        var peers = new PeerExecutors(_clock);
        peers.Heard("older", null);

        Assert.Empty(peers.OnOtherEngines("engine-a", Memory));
    }

    [Fact]
    public void Should_keep_a_silent_executor_for_its_memory_and_forget_it_after_when_it_stops_beating()
    {
        var peers = new PeerExecutors(_clock);
        peers.Heard("silent", "engine-b");

        // A broker outage silences every heartbeat: a silent executor is still asked for a while.
        _clock.Advance(Memory - TimeSpan.FromSeconds(1));
        Assert.Equal(["silent"], peers.OnOtherEngines("engine-a", Memory));

        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Empty(peers.OnOtherEngines("engine-a", Memory));
    }
}
