using Berth.Contracts;
using Berth.Planner.Webhooks;
using Microsoft.Extensions.Options;

namespace Berth.UnitTests.Planner;

public sealed class ConfiguredWebhookEndpointsTests
{
    private const string Secret = "whsec_dGVzdHNlY3JldHRlc3RzZWNyZXQ=";

    [Fact]
    public async Task Should_remove_configured_endpoints_no_longer_in_the_configuration_and_keep_tenants_own_when_the_planner_starts()
    {
        var store = new InMemoryWebhookStore();
        foreach (var id in new[] { "we_configured_0", "we_configured_1", "we_configured_2" })
        {
            await store.AddAsync(Endpoint(id, "https://old.example/hook", tenant: null), CancellationToken.None);
        }

        await store.AddAsync(Endpoint("we_tenant", "https://acme.example/hook", tenant: "acme"), CancellationToken.None);
        var options = Options.Create(new WebhookOptions { Endpoints = [new() { Url = "https://new.example/hook", Secret = Secret }] });

        await new ConfiguredWebhookEndpoints(store, options, TimeProvider.System).StartAsync(CancellationToken.None);

        var left = await store.AllAsync(CancellationToken.None);
        Assert.Equal(["we_configured_0", "we_tenant"], left.Select(e => e.Id).Order(StringComparer.Ordinal));
        Assert.Equal("https://new.example/hook", left.Single(e => e.Id == "we_configured_0").Url);
    }

    private static WebhookEndpointSnapshot Endpoint(string id, string url, string? tenant) =>
        new() { Id = id, Url = url, Events = [], Secret = Secret, CreatedAt = DateTimeOffset.UtcNow, Tenant = tenant };
}
