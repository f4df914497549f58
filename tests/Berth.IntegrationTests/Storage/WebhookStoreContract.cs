using Berth.Contracts;
using Berth.IntegrationTests.Fixtures;
using Berth.Planner.Mongo;
using Berth.Planner.Webhooks;

namespace Berth.IntegrationTests.Storage;

/// <summary>What every webhook store must do: in memory always, MongoDB wherever one is reachable.</summary>
public abstract class WebhookStoreContract
{
    private protected abstract IWebhookStore CreateStore();

    private static WebhookEndpointSnapshot Endpoint(string id, int minute, string? tenant = "acme") => new()
    {
        Id = id,
        Url = "http://127.0.0.1:9/hook",
        Events = ["response.completed"],
        Secret = WebhookSigner.NewSecret(),
        CreatedAt = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000).AddMinutes(minute),
        Tenant = tenant,
    };

    private static WebhookDeliveryAttempt Attempt(int number, string outcome) => new()
    {
        EventId = "evt_1",
        Type = "response.completed",
        ResponseId = "resp_1",
        Attempt = number,
        StatusCode = outcome == "delivered" ? 204 : 500,
        Outcome = outcome,
        At = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000).AddSeconds(number),
    };

    [Fact]
    public async Task Should_keep_endpoints_with_their_secrets_oldest_first_and_remove_them()
    {
        var store = CreateStore();
        var later = Endpoint($"we_{Guid.NewGuid():N}", 2);
        var earlier = Endpoint($"we_{Guid.NewGuid():N}", 1, tenant: null);
        await store.AddAsync(later, CancellationToken.None);
        await store.AddAsync(earlier, CancellationToken.None);

        Assert.Equal(later.Secret, (await store.FindAsync(later.Id, CancellationToken.None))?.Secret);
        Assert.Equal([earlier.Id, later.Id], (await store.AllAsync(CancellationToken.None)).Select(e => e.Id));
        Assert.Equal(["response.completed"], (await store.FindAsync(earlier.Id, CancellationToken.None))!.Events);
        Assert.Equal("acme", (await store.FindAsync(later.Id, CancellationToken.None))!.Tenant);
        Assert.Null((await store.FindAsync(earlier.Id, CancellationToken.None))!.Tenant);

        Assert.True(await store.RemoveAsync(earlier.Id, CancellationToken.None));
        Assert.False(await store.RemoveAsync(earlier.Id, CancellationToken.None));
        Assert.Null(await store.FindAsync(earlier.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Should_list_attempts_newest_first_per_endpoint()
    {
        var store = CreateStore();
        await store.RecordAsync("we_a", Attempt(1, "retrying"), CancellationToken.None);
        await store.RecordAsync("we_a", Attempt(2, "delivered"), CancellationToken.None);
        await store.RecordAsync("we_b", Attempt(1, "dead"), CancellationToken.None);

        var attempts = await store.AttemptsAsync("we_a", 10, CancellationToken.None);

        Assert.Equal(["delivered", "retrying"], attempts.Select(a => a.Outcome));
        Assert.Equal(204, attempts[0].StatusCode);
        Assert.Single(await store.AttemptsAsync("we_a", 1, CancellationToken.None));
        Assert.Empty(await store.AttemptsAsync("we_none", 10, CancellationToken.None));
    }
}

public sealed class InMemoryWebhookStoreTests : WebhookStoreContract
{
    private protected override IWebhookStore CreateStore() => new InMemoryWebhookStore();
}

public sealed class MongoWebhookStoreTests(MongoFixture mongo) : WebhookStoreContract, IClassFixture<MongoFixture>
{
    private protected override IWebhookStore CreateStore() => new MongoWebhookStore(mongo.NewDatabase());
}
