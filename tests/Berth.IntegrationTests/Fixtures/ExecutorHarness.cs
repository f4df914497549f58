using Berth.Contracts;
using Berth.Executor;
using Berth.Executor.Calls;
using Berth.Executor.Sandbox;
using Docker.DotNet;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.IntegrationTests.Fixtures;

/// <summary>The executor's tool call consumer on MassTransit's test harness, over the real Docker engine.</summary>
internal static class ExecutorHarness
{
    /// <param name="configure">The executor's settings, after its id, the test image and a state directory of its own.</param>
    /// <param name="services">Services of the test's own, beside the consumer's.</param>
    public static ServiceProvider Provider(string executorId, Action<ExecutorOptions> configure, Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection()
            .AddLogging()
            .AddSingleton<DockerClient>(_ => DockerFixture.CreateClient())
            .Configure<ExecutorOptions>(o =>
            {
                o.InstanceId = executorId;
                o.Image = DockerFixture.SandboxImage;
                o.StateDirectory = Path.Combine(Path.GetTempPath(), $"berth-harness-{executorId}");
                configure(o);
            })
            .AddSandbox()
            .AddSingleton<RunningCalls>()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<CallJournal>()
            .AddSingleton<CallRecords>();
        services?.Invoke(collection);
        return collection
            .AddMassTransitTestHarness(bus =>
            {
                // Generous: a Docker engine busy with other tests' containers can stall a call for
                // seconds, and the harness reads a quiet bus as "nothing more will come".
                bus.SetTestTimeouts(testInactivityTimeout: TimeSpan.FromSeconds(30));
                bus.AddConsumer<ToolCallConsumer>().Endpoint(e => e.Name = Endpoints.ExecutorsQueue);
            })
            .BuildServiceProvider(validateScopes: true);
    }
}
