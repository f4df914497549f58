using Berth.Contracts;
using Berth.IntegrationTests.Fixtures;
using Berth.Planner.Containers;
using Berth.Planner.Mongo;

namespace Berth.IntegrationTests.Storage;

/// <summary>What every container store must do: in memory always, MongoDB wherever one is reachable.</summary>
public abstract class ContainerStoreContract
{
    private protected abstract IContainerStore CreateStore();

    private static ContainerSnapshot NewContainer(DateTimeOffset createdAt, string? tenant = "acme", string executorId = "exec-1", bool auto = false) => new()
    {
        Id = $"cntr_{Guid.NewGuid():N}",
        Name = "box",
        Status = ContainerStatuses.Running,
        SessionId = Guid.NewGuid(),
        ExecutorId = executorId,
        DockerContainerId = "abc123",
        IdleMinutes = 20,
        MemoryMb = 4096,
        CreatedAt = createdAt,
        LastActiveAt = createdAt,
        Tenant = tenant,
        Auto = auto,
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

        var listed = await store.ListAsync("acme", 2, null, oldestFirst: false, CancellationToken.None);

        Assert.Equal([containers[2].Id, containers[1].Id], listed.Select(c => c.Id));
        Assert.Equal([others.Id], (await store.ListAsync("globex", 10, null, oldestFirst: false, CancellationToken.None)).Select(c => c.Id));

        // Stored before tenants existed: the tenant without keys, "local", owns it.
        Assert.Equal([beforeTenants.Id], (await store.ListAsync("local", 10, null, oldestFirst: false, CancellationToken.None)).Select(c => c.Id));
    }

    [Fact]
    public async Task Should_page_after_a_cursor_in_either_order_when_containers_share_a_creation_time()
    {
        var store = CreateStore();
        var start = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);
        var containers = new[] { NewContainer(start), NewContainer(start.AddMinutes(1)), NewContainer(start.AddMinutes(1)), NewContainer(start.AddMinutes(2)) };
        foreach (var container in containers.Append(NewContainer(start.AddMinutes(3), "globex")))
        {
            await store.AddAsync(container, CancellationToken.None);
        }

        var oldestFirst = containers.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id, StringComparer.Ordinal).Select(c => c.Id).ToList();

        async Task<List<string>> WalkAsync(bool ascending)
        {
            var seen = new List<string>();
            string? after = null;
            while (await store.ListAsync("acme", 1, after, ascending, CancellationToken.None) is [var next])
            {
                seen.Add(next.Id);
                after = next.Id;
            }

            return seen;
        }

        Assert.Equal(oldestFirst, await WalkAsync(ascending: true));
        Assert.Equal(Enumerable.Reverse(oldestFirst), await WalkAsync(ascending: false));

        // A cursor that is not one of the tenant's own starts nowhere.
        Assert.Empty(await store.ListAsync("globex", 10, containers[0].Id, oldestFirst: true, CancellationToken.None));
        Assert.Empty(await store.ListAsync("acme", 10, "cntr_missing", oldestFirst: false, CancellationToken.None));
    }

    [Fact]
    public async Task Should_tell_the_sessions_of_a_tenants_running_containers()
    {
        var store = CreateStore();
        var now = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);
        var running = NewContainer(now);
        var own = NewContainer(now, auto: true);
        var expired = NewContainer(now);
        var others = NewContainer(now, "globex");
        foreach (var container in new[] { running, own, expired, others })
        {
            await store.AddAsync(container, CancellationToken.None);
        }

        await store.SetStatusAsync(expired.Id, ContainerStatuses.Expired, CancellationToken.None);

        Assert.Equal(new HashSet<Guid> { running.SessionId, own.SessionId }, (await store.RunningSessionsAsync("acme", CancellationToken.None)).ToHashSet());
        Assert.Equal(new HashSet<Guid> { others.SessionId }, (await store.RunningSessionsAsync("globex", CancellationToken.None)).ToHashSet());
        Assert.True((await store.FindAsync(own.Id, CancellationToken.None))!.Auto);
    }

    [Fact]
    public async Task Should_forget_a_lost_executors_session_containers_and_expire_those_made_by_request()
    {
        var store = CreateStore();
        var now = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);
        var made = NewContainer(now, executorId: "exec-lost");
        var own = NewContainer(now, executorId: "exec-lost", auto: true);
        var elsewhere = NewContainer(now, executorId: "exec-2", auto: true);
        foreach (var container in new[] { made, own, elsewhere })
        {
            await store.AddAsync(container, CancellationToken.None);
        }

        await store.ForgetExecutorAsync("exec-lost", CancellationToken.None);

        Assert.Equal(ContainerStatuses.Expired, (await store.FindAsync(made.Id, CancellationToken.None))!.Status);
        Assert.Null(await store.FindAsync(own.Id, CancellationToken.None));
        Assert.Equal(ContainerStatuses.Running, (await store.FindAsync(elsewhere.Id, CancellationToken.None))!.Status);
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
        await store.SetStatusAsync(container.Id, ContainerStatuses.Expired, CancellationToken.None);
        var changed = await store.FindAsync(container.Id, CancellationToken.None);
        Assert.Equal(created.AddMinutes(5), changed!.LastActiveAt);
        Assert.Equal(ContainerStatuses.Expired, changed.Status);

        await store.DeleteAsync(container.Id, CancellationToken.None);
        Assert.Null(await store.FindAsync(container.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Should_keep_the_skills_a_container_is_made_with_and_the_snapshot_it_expired_as()
    {
        var store = CreateStore();
        var container = NewContainer(DateTimeOffset.FromUnixTimeSeconds(1_790_000_000)) with
        {
            Skills = [new ContainerSkillSeed("lint", "Checks style", new Uri("urn:berth-payload:skill:lint"))],
        };
        await store.AddAsync(container, CancellationToken.None);
        await store.AddAsync(container with { Status = ContainerStatuses.Expired, KeptAs = "snap_0123456789abcdef0123456789abcdef" }, CancellationToken.None);

        var found = await store.FindAsync(container.Id, CancellationToken.None);

        Assert.Equal(container.Skills, found!.Skills);
        Assert.Equal((ContainerStatuses.Expired, "snap_0123456789abcdef0123456789abcdef"), (found.Status, found.KeptAs));
    }
}

public sealed class InMemoryContainerStoreTests : ContainerStoreContract
{
    private protected override IContainerStore CreateStore() => new InMemoryContainerStore();
}

public sealed class MongoContainerStoreTests(MongoFixture mongo) : ContainerStoreContract, IClassFixture<MongoFixture>
{
    private protected override IContainerStore CreateStore() => new MongoContainerStore(mongo.NewDatabase());
}
