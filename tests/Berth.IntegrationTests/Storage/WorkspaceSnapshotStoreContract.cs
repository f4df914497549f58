using Berth.Contracts;
using Berth.IntegrationTests.Fixtures;
using Berth.Planner.Mongo;
using Berth.Planner.Snapshots;

namespace Berth.IntegrationTests.Storage;

/// <summary>What every workspace snapshot store must do: in memory always, MongoDB wherever one is reachable.</summary>
public abstract class WorkspaceSnapshotStoreContract
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);

    private protected abstract IWorkspaceSnapshotStore CreateStore();

    private static WorkspaceSnapshotInfo Snapshot(string id, int second, string container = "cntr_a", string tenant = "acme", long bytes = 100, int days = 7) => new()
    {
        Id = id,
        ContainerId = container,
        Bytes = bytes,
        CreatedAt = Start.AddSeconds(second),
        ExpiresAt = Start.AddSeconds(second).AddDays(days),
        Tenant = tenant,
        Address = new Uri($"urn:berth-payload:snapshot:kept:{id}"),
    };

    [Fact]
    public async Task Should_keep_find_and_remove_a_snapshot_with_every_field()
    {
        var store = CreateStore();
        var snapshot = Snapshot("snap_1", 1, bytes: 12_345) with { Skills = new Uri("urn:berth-payload:snapshot:kept:skills-1") };

        await store.AddAsync(snapshot, CancellationToken.None);

        Assert.Equal(snapshot, await store.FindAsync("snap_1", CancellationToken.None));
        Assert.Equal(snapshot, await store.RemoveAsync("snap_1", CancellationToken.None));
        Assert.Null(await store.FindAsync("snap_1", CancellationToken.None));
        Assert.Null(await store.RemoveAsync("snap_1", CancellationToken.None));
    }

    [Fact]
    public async Task Should_page_a_containers_snapshots_in_either_order_with_an_exact_cursor_when_they_share_an_instant()
    {
        var store = CreateStore();
        foreach (var snapshot in new[] { Snapshot("snap_b", 1), Snapshot("snap_a", 1), Snapshot("snap_c", 2), Snapshot("snap_x", 3, container: "cntr_other") })
        {
            await store.AddAsync(snapshot, CancellationToken.None);
        }

        var now = Start.AddDays(1);
        Assert.Equal(["snap_c", "snap_b", "snap_a"], (await store.ListAsync("cntr_a", null, 10, oldestFirst: false, now, CancellationToken.None)).Select(s => s.Id));
        Assert.Equal(["snap_a", "snap_b"], (await store.ListAsync("cntr_a", null, 2, oldestFirst: true, now, CancellationToken.None)).Select(s => s.Id));
        var after = await store.FindAsync("snap_b", CancellationToken.None);
        Assert.Equal(["snap_c"], (await store.ListAsync("cntr_a", after, 10, oldestFirst: true, now, CancellationToken.None)).Select(s => s.Id));
        Assert.Equal(["snap_a"], (await store.ListAsync("cntr_a", after, 10, oldestFirst: false, now, CancellationToken.None)).Select(s => s.Id));
    }

    [Fact]
    public async Task Should_leave_expired_snapshots_out_of_lists_and_totals_and_find_them_for_the_purge()
    {
        var store = CreateStore();
        await store.AddAsync(Snapshot("snap_old", 0, bytes: 1_000, days: 1), CancellationToken.None);
        await store.AddAsync(Snapshot("snap_new", 10, bytes: 300), CancellationToken.None);
        await store.AddAsync(Snapshot("snap_theirs", 10, container: "cntr_b", tenant: "globex", bytes: 5_000), CancellationToken.None);
        var now = Start.AddDays(2);

        Assert.Equal(["snap_new"], (await store.ListAsync("cntr_a", null, 10, oldestFirst: false, now, CancellationToken.None)).Select(s => s.Id));
        Assert.Equal(300, await store.TotalBytesAsync("acme", now, CancellationToken.None));
        Assert.Equal(1_300, await store.TotalBytesAsync("acme", Start, CancellationToken.None));
        Assert.Equal(["snap_old"], (await store.ExpiredAsync(now, 100, CancellationToken.None)).Select(s => s.Id));
    }
}

public sealed class InMemoryWorkspaceSnapshotStoreTests : WorkspaceSnapshotStoreContract
{
    private protected override IWorkspaceSnapshotStore CreateStore() => new InMemoryWorkspaceSnapshotStore();
}

public sealed class MongoWorkspaceSnapshotStoreTests(MongoFixture mongo) : WorkspaceSnapshotStoreContract, IClassFixture<MongoFixture>
{
    private protected override IWorkspaceSnapshotStore CreateStore() => new MongoWorkspaceSnapshotStore(mongo.NewDatabase());
}
