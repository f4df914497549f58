using Berth.Executor.Sandbox;

namespace Berth.UnitTests.Executor;

public sealed class SessionLocksTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Should_let_one_holder_at_a_time_per_session_and_others_through()
    {
        var locks = new SessionLocks();
        var session = Guid.NewGuid();

        var first = await locks.TakeAsync(session, Token);
        var second = locks.TakeAsync(session, Token);
        var elsewhere = await locks.TakeAsync(Guid.NewGuid(), Token).WaitAsync(TimeSpan.FromSeconds(5), Token);

        Assert.False(second.IsCompleted);
        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(5), Token)).Dispose();
        elsewhere.Dispose();
    }

    [Fact]
    public async Task Should_forget_a_session_when_no_one_holds_or_awaits_its_lock()
    {
        var locks = new SessionLocks();
        var session = Guid.NewGuid();

        for (var i = 0; i < 100; i++)
        {
            using (await locks.TakeAsync(Guid.NewGuid(), Token))
            {
            }
        }

        var held = await locks.TakeAsync(session, Token);
        using var cancel = new CancellationTokenSource();
        var waiting = locks.TakeAsync(session, cancel.Token);
        Assert.Equal(1, locks.Count);

        // A waiter that gives up leaves nothing behind, nor does the holder once it lets go.
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, locks.Count);
        held.Dispose();
        held.Dispose();
        Assert.Equal(0, locks.Count);
        using (await locks.TakeAsync(session, Token).WaitAsync(TimeSpan.FromSeconds(5), Token))
        {
            Assert.Equal(1, locks.Count);
        }
    }
}
