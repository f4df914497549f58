using Berth.Contracts;
using Berth.Planner.Model;
using Berth.ScriptedModel;
using Berth.ServiceDefaults.Models;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Berth.UnitTests.Planner;

/// <summary><c>GET /v1/models</c> where there is no catalog: the configured endpoint's own list, through the real SDK, from the scripted model on loopback.</summary>
public sealed class ListModelsConsumerTests
{
    private static async Task<ModelList> ListAsync(string baseUrl)
    {
        await using var provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton(Options.Create(new ModelOptions { BaseUrl = baseUrl, MaxRetries = 0, TimeoutSeconds = 5 }))
            .AddSingleton(Options.Create(new ModelCatalog()))
            .AddSingleton<ChatModels>()
            .AddMassTransitTestHarness(bus => bus.AddConsumer<ListModelsConsumer>())
            .BuildServiceProvider(validateScopes: true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        var reply = await harness.GetRequestClient<ListModels>().GetResponse<ModelList>(new ListModels(), TestContext.Current.CancellationToken, RequestTimeout.After(s: 20));
        return reply.Message;
    }

    [Fact]
    public async Task Should_list_what_the_endpoint_lists_when_there_is_no_catalog()
    {
        await using var model = await ScriptedModelServer.StartAsync();

        var list = await ListAsync(model.BaseUrl.ToString());

        Assert.Null(list.Unavailable);
        Assert.Equal([new ModelInfo("berth-scripted", 0, "berth")], list.Models);
    }

    [Fact]
    public async Task Should_say_the_list_is_unavailable_when_the_endpoint_cannot_be_reached()
    {
        await using var model = await ScriptedModelServer.StartAsync();
        var gone = model.BaseUrl.ToString();
        await model.DisposeAsync();

        var list = await ListAsync(gone);

        Assert.Empty(list.Models);
        Assert.NotNull(list.Unavailable);
    }
}
