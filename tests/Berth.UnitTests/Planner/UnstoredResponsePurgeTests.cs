using Berth.Contracts;
using Berth.Planner;
using Berth.Planner.Responses;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Berth.UnitTests.Planner;

/// <summary>When a response made with <c>store: false</c> goes: kept its while after it ends, then removed, on a fake clock.</summary>
public sealed class UnstoredResponsePurgeTests
{
    [Fact]
    public async Task Should_keep_an_unstored_response_for_its_keep_after_it_ends_and_then_remove_it()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 11, 0, 0, TimeSpan.Zero));
        var store = new InMemoryResponseStore();
        var purge = new UnstoredResponsePurge(store, Options.Create(new PlannerOptions { UnstoredKeepSeconds = 60 }), clock, NullLogger<UnstoredResponsePurge>.Instance);
        var response = new StoredResponse(new ResponseSnapshot { Id = "resp_1", SessionId = Guid.NewGuid(), Status = ResponseStatuses.InProgress, Model = "m", Store = false }, []);
        await store.TryAddAsync(response, CancellationToken.None);

        clock.Advance(TimeSpan.FromMinutes(10));
        var whileRunning = await purge.PurgeAsync(CancellationToken.None);
        await store.FinishAsync("resp_1", new ResponseOutcome(ResponseStatuses.Completed, clock.GetUtcNow()), CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(59));
        var justBefore = await purge.PurgeAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(2));
        var after = await purge.PurgeAsync(CancellationToken.None);

        Assert.Equal((0, 0, 1), (whileRunning, justBefore, after));
        Assert.Null(await store.FindAsync("resp_1", CancellationToken.None));
        Assert.Equal(TimeSpan.FromSeconds(30), UnstoredResponsePurge.Period(300));
        Assert.Equal(TimeSpan.FromSeconds(1), UnstoredResponsePurge.Period(1));
    }
}
