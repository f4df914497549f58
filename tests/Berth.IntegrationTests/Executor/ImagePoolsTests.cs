using Berth.Executor;
using Berth.Executor.Sandbox;
using Berth.IntegrationTests.Fixtures;
using Berth.ServiceDefaults.Images;
using Docker.DotNet.Models;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Berth.IntegrationTests.Executor;

/// <summary>
/// The executor's images after start-up, on the real Docker engine and MassTransit's test harness,
/// with a clock of the test's own: a listed image put on the engine later is served at its next check.
/// </summary>
public sealed class ImagePoolsTests(DockerFixture docker) : SandboxTestBase(docker, "image-pools"), IClassFixture<DockerFixture>
{
    private readonly string _late = $"berth-test-late-{Guid.NewGuid().ToString("N")[..8]}";

    [Fact]
    public async Task Should_serve_an_image_put_on_the_engine_after_start_up_at_its_next_check()
    {
        var token = TestContext.Current.CancellationToken;
        var clock = new FakeTimeProvider();
        var settings = Options.Create(new ExecutorOptions { InstanceId = ExecutorId, Image = DockerFixture.SandboxImage, WarmContainers = 0, ImageCheckSeconds = 60 });
        var catalog = new ImageCatalog();
        catalog.Images.Add(new ImageEntry { Name = "late", Reference = $"{_late}:latest" });
        await using var provider = new ServiceCollection()
            .AddMassTransitTestHarness(bus =>
            {
                bus.AddConsumer<ToolCallConsumer>().ExcludeFromConfigureEndpoints();
                bus.AddConsumer<ProvisionContainerConsumer>().ExcludeFromConfigureEndpoints();
            })
            .BuildServiceProvider(validateScopes: true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        var served = new ServedImages(settings);
        using var pools = new ImagePools(Options.Create(catalog), new ImageCheck(Docker.Client, settings), served, provider.GetRequiredService<IReceiveEndpointConnector>(),
            settings, NullLogger<ImagePools>.Instance, clock);

        await pools.StartedAsync(token);
        Assert.DoesNotContain("late", served.Names);

        // Pulled (here: tagged) while the executor runs; served once the next check comes round.
        await Docker.Client.Images.TagImageAsync(DockerFixture.SandboxImage, new ImageTagParameters { RepositoryName = _late, Tag = "latest" }, token);
        clock.Advance(TimeSpan.FromSeconds(60));

        await Eventually.TrueAsync(() => Task.FromResult(served.Names.Contains("late")), TimeSpan.FromSeconds(30), "the image to be served");
        Assert.Equal($"{_late}:latest", served.ReferenceOf("late"));
        await pools.StoppingAsync(token);
        await harness.Stop();
    }

    public override async ValueTask DisposeAsync()
    {
        if (Docker.UnavailableReason is null)
        {
            try
            {
                await Docker.Client.Images.DeleteImageAsync($"{_late}:latest", new ImageDeleteParameters());
            }
            catch (Docker.DotNet.DockerApiException)
            {
                // Never tagged: the test stopped before.
            }
        }

        await base.DisposeAsync();
    }
}
