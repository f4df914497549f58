using Berth.Contracts;
using Berth.IntegrationTests.Fixtures;
using Berth.Planner.Mongo;
using Berth.Planner.Skills;

namespace Berth.IntegrationTests.Storage;

/// <summary>What every skill store must do: in memory always, MongoDB wherever one is reachable.</summary>
public abstract class SkillStoreContract
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);

    private protected abstract ISkillStore CreateStore();

    private static SkillVersionSnapshot Version(string number, string name = "csv-tools") => new()
    {
        Version = number,
        Name = name,
        Description = $"version {number}",
        CreatedAt = Start,
        ContentAddress = new Uri($"urn:berth-payload:file:kept:{Guid.NewGuid():N}"),
        Bytes = 10,
    };

    private static SkillSnapshot Skill(string tenant = "acme", int second = 0) => new()
    {
        Id = $"skill_{Guid.NewGuid():N}",
        CreatedAt = Start.AddSeconds(second),
        Tenant = tenant,
        DefaultVersion = "1",
        LatestVersion = "1",
        Versions = [Version("1")],
    };

    [Fact]
    public async Task Should_keep_a_skill_number_its_versions_and_move_its_default()
    {
        var store = CreateStore();
        var skill = Skill();
        await store.AddAsync(skill, CancellationToken.None);

        var second = await store.AddVersionAsync(skill.Id, Version("0", "csv-tools-2"), makeDefault: false, CancellationToken.None);
        var third = await store.AddVersionAsync(skill.Id, Version("0"), makeDefault: true, CancellationToken.None);

        Assert.Equal(("1", "2"), (second!.DefaultVersion, second.LatestVersion));
        Assert.Equal(("3", "3"), (third!.DefaultVersion, third.LatestVersion));
        Assert.Equal(["1", "2", "3"], third.Versions.Select(v => v.Version));
        Assert.Equal("csv-tools-2", third.Version("2")!.Name);
        Assert.Equal("1", (await store.SetDefaultAsync(skill.Id, "1", CancellationToken.None))?.DefaultVersion);
        Assert.Null(await store.SetDefaultAsync(skill.Id, "9", CancellationToken.None));
        Assert.Null(await store.AddVersionAsync("skill_missing", Version("0"), makeDefault: false, CancellationToken.None));

        var found = await store.FindAsync(skill.Id, CancellationToken.None);
        Assert.Equal((skill.CreatedAt, "acme", "1", "3"), (found!.CreatedAt, found.Tenant, found.DefaultVersion, found.LatestVersion));
        Assert.Equal(third.Version("2")!.ContentAddress, found.Version("2")!.ContentAddress);
    }

    [Fact]
    public async Task Should_remove_a_version_but_not_the_default_and_then_the_skill()
    {
        var store = CreateStore();
        var skill = Skill();
        await store.AddAsync(skill, CancellationToken.None);
        await store.AddVersionAsync(skill.Id, Version("0"), makeDefault: false, CancellationToken.None);

        Assert.Null(await store.RemoveVersionAsync(skill.Id, "1", CancellationToken.None));
        Assert.Equal(["1", "2"], (await store.RemoveVersionAsync(skill.Id, "2", CancellationToken.None))!.Versions.Select(v => v.Version));
        Assert.Null(await store.RemoveVersionAsync(skill.Id, "2", CancellationToken.None));
        Assert.Equal(["1"], (await store.FindAsync(skill.Id, CancellationToken.None))!.Versions.Select(v => v.Version));
        Assert.Equal("3", (await store.AddVersionAsync(skill.Id, Version("0"), makeDefault: false, CancellationToken.None))!.LatestVersion);

        Assert.Equal(skill.Id, (await store.RemoveAsync(skill.Id, CancellationToken.None))?.Id);
        Assert.Null(await store.FindAsync(skill.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Should_page_a_tenants_skills_in_either_order()
    {
        var store = CreateStore();
        var tenant = $"t{Guid.NewGuid():N}";
        var skills = Enumerable.Range(0, 3).Select(i => Skill(tenant, i)).ToList();
        foreach (var skill in skills.Append(Skill("other")))
        {
            await store.AddAsync(skill, CancellationToken.None);
        }

        Assert.Equal(skills.Select(s => s.Id).Reverse(), (await store.ListAsync(tenant, null, 10, oldestFirst: false, CancellationToken.None)).Select(s => s.Id));
        Assert.Equal([skills[1].Id, skills[2].Id], (await store.ListAsync(tenant, skills[0], 10, oldestFirst: true, CancellationToken.None)).Select(s => s.Id));
    }
}

public sealed class InMemorySkillStoreTests : SkillStoreContract
{
    private protected override ISkillStore CreateStore() => new InMemorySkillStore();
}

public sealed class MongoSkillStoreTests(MongoFixture mongo) : SkillStoreContract, IClassFixture<MongoFixture>
{
    private protected override ISkillStore CreateStore() => new MongoSkillStore(mongo.NewDatabase());
}
