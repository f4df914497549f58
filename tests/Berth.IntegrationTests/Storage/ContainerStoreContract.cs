using Berth.Contracts;
using Berth.IntegrationTests.Fixtures;
using Berth.Planner.Containers;
using Berth.Planner.Mongo;

namespace Berth.IntegrationTests.Storage;

/// <summary>What every container store must do: in memory always, MongoDB wherever one is reachable.</summary>
public abstract class ContainerStoreContract
{
    protected abstract IContainerStore CreateStore();

    private static ContainerSnapshot NewContainer(DateTimeOffset createdAt, string? tenant = "acme") => new()
    {
        Id = $"cntr_{Guid.NewGuid():N}",
        Name = "box",
        Status = "running",
        SessionId = Guid.NewGuid(),
        ExecutorId = "exec-1",
        DockerContainerId = "abc123",
        IdleMinutes = 20,
        MemoryMb = 4096,
        CreatedAt = createdAt,
        LastActiveAt = createdAt,
        Tenant = tenant,
    };

    [Fact]
    public async Task Should_find_a_container_by_id_and_by_session()
    {
        var store = CreateStore();
        var container = NewContainer(DateTimeOffset.FromUnixTimeSeconds(1_790_000_000));

        await store.AddAsync(container, CancellationToken.None);

        Assert.Equal(container, await store.FindAsync(container.Id, CancellationToken.None));
        Assert.Equal(container, await store.FindBySessionAsync(container.SessionId, CancellationToken.None));
        Assert.Null(await store.FindAsync("cntr_missing", CancellationToken.None));
        Assert.Null(await store.FindBySessionAsync(Guid.NewGuid(), CancellationToken.None));
    }

    [Fact]
    public async Task Should_list_a_tenants_containers_newest_first_up_to_the_limit()
    {
        var store = CreateStore();
        var start = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);
        var containers = Enumerable.Range(0, 3).Select(i => NewContainer(start.AddMinutes(i))).ToList();
        var others = NewContainer(start.AddMinutes(10), "globex");
        var beforeTenants = NewContainer(start.AddMinutes(11), tenant: null);
        foreach (var container in containers.Append(others).Append(beforeTenants))
        {
            await store.AddAsync(container, CancellationToken.None);
        }

        var listed = await store.ListAsync("acme", 2, CancellationToken.None);

        Assert.Equal([containers[2].Id, containers[1].Id], listed.Select(c => c.Id));
        Assert.Equal([others.Id], (await store.ListAsync("globex", 10, CancellationToken.None)).Select(c => c.Id));

        // Stored before tenants existed: the tenant without keys, "local", owns it.
        Assert.Equal([beforeTenants.Id], (await store.ListAsync("local", 10, CancellationToken.None)).Select(c => c.Id));
    }

    [Fact]
    public async Task Should_change_status_keep_the_latest_activity_and_delete()
    {
        var store = CreateStore();
        var created = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);
        var container = NewContainer(created);
        await store.AddAsync(container, CancellationToken.None);

        await store.TouchAsync(container.Id, created.AddMinutes(5), CancellationToken.None);
        await store.TouchAsync(container.Id, created.AddMinutes(2), CancellationToken.None);
        await store.SetStatusAsync(container.Id, "expired", CancellationToken.None);
        var changed = await store.FindAsync(container.Id, CancellationToken.None);
        Assert.Equal(created.AddMinutes(5), changed!.LastActiveAt);
        Assert.Equal("expired", changed.Status);

        await store.DeleteAsync(container.Id, CancellationToken.None);
        Assert.Null(await store.FindAsync(container.Id, CancellationToken.None));
    }
}

public sealed class InMemoryContainerStoreTests : ContainerStoreContract
{
    protected override IContainerStore CreateStore() => new InMemoryContainerStore();
}

public sealed class MongoContainerStoreTests(MongoFixture mongo) : ContainerStoreContract, IClassFixture<MongoFixture>
{
    protected override IContainerStore CreateStore() => new MongoContainerStore(mongo.NewDatabase());
}
