using Berth.Contracts;
using Berth.IntegrationTests.Fixtures;
using Berth.Planner.Files;
using Berth.Planner.Mongo;

namespace Berth.IntegrationTests.Storage;

/// <summary>What every file store must do: in memory always, MongoDB wherever one is reachable.</summary>
public abstract class FileStoreContract
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);

    private protected abstract IFileStore CreateStore();

    private static FileSnapshot File(string id, int second, string tenant = "acme", string purpose = FilePurposes.UserData, DateTimeOffset? expiresAt = null) => new()
    {
        Id = id,
        Filename = $"{id}.txt",
        Purpose = purpose,
        Bytes = 42,
        CreatedAt = Start.AddSeconds(second),
        ExpiresAt = expiresAt,
        Tenant = tenant,
        ContentAddress = new Uri($"urn:berth-payload:file:kept:{id}"),
    };

    [Fact]
    public async Task Should_keep_find_and_remove_a_file_with_every_field()
    {
        var store = CreateStore();
        var file = File($"file-{Guid.NewGuid():N}", 0, expiresAt: Start.AddHours(1));
        await store.AddAsync(file, CancellationToken.None);

        Assert.Equal(file, await store.FindAsync(file.Id, CancellationToken.None));
        Assert.Equal(file, await store.RemoveAsync(file.Id, CancellationToken.None));
        Assert.Null(await store.RemoveAsync(file.Id, CancellationToken.None));
        Assert.Null(await store.FindAsync(file.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Should_page_a_tenants_files_in_either_order_with_an_exact_cursor_when_files_share_an_instant()
    {
        var store = CreateStore();
        var tenant = $"t{Guid.NewGuid():N}";
        // Two files in the same second: the id breaks the tie, so no page repeats or skips one.
        string[] ids = ["file-a", "file-b", "file-c", "file-d"];
        var files = ids.Select((id, i) => File($"{id}{Guid.NewGuid():N}"[..37], i == 2 ? 1 : i, tenant)).ToList();
        foreach (var file in files)
        {
            await store.AddAsync(file, CancellationToken.None);
        }

        await store.AddAsync(File($"file-{Guid.NewGuid():N}", 5, "someone-else"), CancellationToken.None);
        await store.AddAsync(File($"file-{Guid.NewGuid():N}", 6, tenant, FilePurposes.Vision), CancellationToken.None);
        var now = Start.AddDays(1);

        var ascending = new List<string>();
        for (FileSnapshot? after = null; ;)
        {
            var page = await store.ListAsync(tenant, FilePurposes.UserData, after, 2, oldestFirst: true, now, CancellationToken.None);
            ascending.AddRange(page.Select(f => f.Id));
            if (page.Count < 2)
            {
                break;
            }

            after = page[^1];
        }

        var expected = files.OrderBy(f => f.CreatedAt).ThenBy(f => f.Id, StringComparer.Ordinal).Select(f => f.Id).ToList();
        Assert.Equal(expected, ascending);
        var descending = await store.ListAsync(tenant, FilePurposes.UserData, files[1], 10, oldestFirst: false, now, CancellationToken.None);
        Assert.Equal(expected.Take(expected.IndexOf(files[1].Id)).Reverse(), descending.Select(f => f.Id));
        Assert.Equal(5, (await store.ListAsync(tenant, null, null, 10, oldestFirst: false, now, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Should_leave_out_expired_files_and_find_them_for_the_purge()
    {
        var store = CreateStore();
        var tenant = $"t{Guid.NewGuid():N}";
        var expired = File($"file-{Guid.NewGuid():N}", 0, tenant, expiresAt: Start.AddMinutes(5));
        var later = File($"file-{Guid.NewGuid():N}", 1, tenant, expiresAt: Start.AddDays(2));
        var kept = File($"file-{Guid.NewGuid():N}", 2, tenant);
        foreach (var file in new[] { expired, later, kept })
        {
            await store.AddAsync(file, CancellationToken.None);
        }

        var now = Start.AddDays(1);
        Assert.Equal([kept.Id, later.Id], (await store.ListAsync(tenant, null, null, 10, oldestFirst: false, now, CancellationToken.None)).Select(f => f.Id));
        Assert.Contains(expired.Id, (await store.ExpiredAsync(now, 1000, CancellationToken.None)).Select(f => f.Id));
        Assert.DoesNotContain(later.Id, (await store.ExpiredAsync(now, 1000, CancellationToken.None)).Select(f => f.Id));
    }
}

public sealed class InMemoryFileStoreTests : FileStoreContract
{
    private protected override IFileStore CreateStore() => new InMemoryFileStore();
}

public sealed class MongoFileStoreTests(MongoFixture mongo) : FileStoreContract, IClassFixture<MongoFixture>
{
    private protected override IFileStore CreateStore() => new MongoFileStore(mongo.NewDatabase());
}
