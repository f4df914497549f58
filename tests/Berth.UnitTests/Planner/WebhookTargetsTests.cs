using System.Net;
using System.Net.Sockets;
using Berth.Contracts;
using Berth.Planner;
using Berth.Planner.Webhooks;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.UnitTests.Planner;

/// <summary>
/// Tenants' webhooks reach public addresses only. Names are resolved by a resolver of the test's
/// own (no DNS); the only thing ever connected to is a listener on loopback, and only when the
/// operator allows private networks.
/// </summary>
public sealed class WebhookTargetsTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a00:1")]
    [InlineData("2002:a00:1::1")]
    public void Should_not_count_an_address_as_public_when_it_is_loopback_private_link_local_or_reserved(string address) =>
        Assert.False(WebhookAddresses.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    public void Should_count_an_address_as_public_when_it_is_globally_routable(string address) =>
        Assert.True(WebhookAddresses.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("http://metadata.test/hook")]
    [InlineData("http://mixed.test/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[::1]:8080/hook")]
    [InlineData("http://nowhere.test/hook")]
    public async Task Should_refuse_to_register_an_endpoint_when_its_host_resolves_to_an_address_that_is_not_public(string url)
    {
        await using var provider = Provider(allowPrivateNetworks: false);
        var harness = await StartAsync(provider);

        var reply = await harness.GetRequestClient<CreateWebhookEndpoint>().GetResponse<WebhookEndpointSnapshot, TaskRejected>(Create(url, "acme"));

        Assert.True(reply.Is(out Response<TaskRejected>? rejected), $"{url} was registered");
        Assert.Equal("url", rejected.Message.Param);
        Assert.Empty(await provider.GetRequiredService<IWebhookStore>().AllAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Should_register_an_endpoint_when_its_host_resolves_only_to_public_addresses()
    {
        await using var provider = Provider(allowPrivateNetworks: false);
        var harness = await StartAsync(provider);

        var reply = await harness.GetRequestClient<CreateWebhookEndpoint>().GetResponse<WebhookEndpointSnapshot, TaskRejected>(Create("https://public.test/hook", "acme"));

        Assert.True(reply.Is(out Response<WebhookEndpointSnapshot>? _));
    }

    [Fact]
    public async Task Should_refuse_a_tenants_endpoint_past_its_limit_when_it_has_registered_the_most_it_may()
    {
        await using var provider = Provider(allowPrivateNetworks: false, maxEndpoints: 2);
        var client = (await StartAsync(provider)).GetRequestClient<CreateWebhookEndpoint>();

        for (var i = 0; i < 2; i++)
        {
            Assert.True((await client.GetResponse<WebhookEndpointSnapshot, TaskRejected>(Create("https://public.test/hook", "acme"))).Is(out Response<WebhookEndpointSnapshot>? _));
        }

        var third = await client.GetResponse<WebhookEndpointSnapshot, TaskRejected>(Create("https://public.test/hook", "acme"));
        var othersFirst = await client.GetResponse<WebhookEndpointSnapshot, TaskRejected>(Create("https://public.test/hook", "globex"));

        Assert.True(third.Is(out Response<TaskRejected>? refused));
        Assert.Contains("at most 2", refused.Message.Message, StringComparison.Ordinal);
        Assert.True(othersFirst.Is(out Response<WebhookEndpointSnapshot>? _), "another tenant's first endpoint was refused");
    }

    [Fact]
    public async Task Should_refuse_a_delivery_before_connecting_and_log_a_generic_reason_when_the_host_now_resolves_to_loopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var provider = Provider(allowPrivateNetworks: false);
        var harness = await StartAsync(provider);
        var store = provider.GetRequiredService<IWebhookStore>();

        // Registered while it resolved to a public address; it now resolves to loopback (DNS rebinding).
        await store.AddAsync(new WebhookEndpointSnapshot { Id = "we_rebind", Url = $"http://rebind.test:{port}/hook", Events = [], Secret = "whsec_test", CreatedAt = DateTimeOffset.UtcNow, Tenant = "acme" }, CancellationToken.None);
        await harness.Bus.Publish(new DeliverWebhook { EndpointId = "we_rebind", EventId = "evt_1", Type = "response.completed", ResponseId = "resp_1" });

        Assert.True(await harness.Consumed.Any<DeliverWebhook>());
        var attempt = Assert.Single(await store.AttemptsAsync("we_rebind", 10, CancellationToken.None));
        Assert.Equal(WebhookTargets.NotPublic, attempt.Error);
        Assert.False(listener.Pending(), "the delivery connected to the loopback listener");
    }

    [Fact]
    public async Task Should_deliver_to_a_private_address_when_the_operator_allows_private_networks()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var provider = Provider(allowPrivateNetworks: true);
        var harness = await StartAsync(provider);
        var store = provider.GetRequiredService<IWebhookStore>();
        await store.AddAsync(new WebhookEndpointSnapshot { Id = "we_dev", Url = $"http://rebind.test:{port}/hook", Events = [], Secret = "whsec_test", CreatedAt = DateTimeOffset.UtcNow, Tenant = "acme" }, CancellationToken.None);

        await harness.Bus.Publish(new DeliverWebhook { EndpointId = "we_dev", EventId = "evt_2", Type = "response.completed", ResponseId = "resp_2" });
        using var accepted = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(accepted.Connected);
    }

    private static CreateWebhookEndpoint Create(string url, string tenant) =>
        new() { EndpointId = $"we_{Guid.NewGuid():N}", Url = url, Events = [], CreatedAt = DateTimeOffset.UtcNow, Tenant = tenant };

    private static ServiceProvider Provider(bool allowPrivateNetworks, int maxEndpoints = 10) => new ServiceCollection()
        .AddLogging()
        .AddSingleton<IWebhookStore, InMemoryWebhookStore>()
        .AddSingleton<IWebhookResolver>(new NamedResolver(new Dictionary<string, IPAddress[]>
        {
            ["public.test"] = [IPAddress.Parse("8.8.8.8")],
            ["metadata.test"] = [IPAddress.Parse("169.254.169.254")],
            ["mixed.test"] = [IPAddress.Parse("8.8.8.8"), IPAddress.Parse("10.0.0.1")],
            ["rebind.test"] = [IPAddress.Loopback],
        }))
        .AddWebhookClients()
        .AddSingleton(TimeProvider.System)
        .Configure<WebhookOptions>(o =>
        {
            o.AllowPrivateNetworks = allowPrivateNetworks;
            o.MaxEndpointsPerTenant = maxEndpoints;
            o.TimeoutSeconds = 5;
            o.RetryDelaysSeconds = [1];
        })
        .AddMassTransitTestHarness(bus =>
        {
            bus.AddConsumer<WebhookEndpointConsumers>();
            bus.AddConsumer<WebhookDelivery>();
        })
        .BuildServiceProvider(validateScopes: true);

    private static async Task<ITestHarness> StartAsync(ServiceProvider provider)
    {
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        return harness;
    }

    /// <summary>Names of the test's own; any other name does not resolve, as with DNS.</summary>
    private sealed class NamedResolver(Dictionary<string, IPAddress[]> names) : IWebhookResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            IPAddress.TryParse(host, out var literal) ? Task.FromResult<IPAddress[]>([literal])
            : names.TryGetValue(host, out var addresses) ? Task.FromResult(addresses)
            : throw new SocketException((int)SocketError.HostNotFound);
    }
}
