using Berth.Contracts;
using Berth.Executor;
using Berth.Executor.Calls;
using Berth.Executor.Sandbox;
using Berth.IntegrationTests.Fixtures;
using Docker.DotNet;
using Docker.DotNet.Models;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.IntegrationTests.Executor;

/// <summary>
/// An executor at its container limit, on the test harness with the real Docker engine: a new
/// session goes back to the pool's queue and waits, bounded; sessions it already holds go on.
/// </summary>
public sealed class ExecutorCapacityTests(DockerFixture docker) : IClassFixture<DockerFixture>
{
    [Fact]
    public async Task Should_send_a_new_session_back_to_the_pool_and_fail_it_with_pool_full_after_the_wait()
    {
        Assert.SkipWhen(docker.UnavailableReason is not null, docker.UnavailableReason ?? "");
        var executorId = $"test-capacity-{Guid.NewGuid().ToString("N")[..8]}";
        await using var provider = ExecutorHarness.Provider(executorId, o =>
        {
            o.MaxContainers = 1;
            o.CapacityWaitSeconds = 2;
        });
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        try
        {
            var pool = await harness.Bus.GetSendEndpoint(Endpoints.Executors);
            var held = Guid.NewGuid();
            await pool.Send(Call(held, "first", containerId: null));
            Assert.True(await harness.Published.Any<ToolCallCompleted>(m => m.Context.Message.CallId == "first"));
            var container = harness.Published.Select<ToolCallCompleted>(m => m.Context.Message.CallId == "first").First().Context.Message.ContainerId;
            Assert.NotNull(container);

            var waiting = Guid.NewGuid();
            await pool.Send(Call(waiting, "second", containerId: null));

            // Back to the pool's queue, more than once, while the executor stays full...
            Assert.True(await harness.Sent.Any<ToolCallRequested>(m => m.Context.Message.CallId == "second" && m.Context.Headers.Get<string>("Berth-Waiting-Since") != null));

            // ...while the session it holds still runs...
            await pool.Send(Call(held, "third", container));
            Assert.True(await harness.Published.Any<ToolCallCompleted>(m => m.Context.Message.CallId == "third" && m.Context.Message.Error == null));

            // ...until the wait is over: a clear failure, not a lost call.
            Assert.True(await harness.Published.Any<ToolCallCompleted>(m => m.Context.Message.CallId == "second"));
            var failed = harness.Published.Select<ToolCallCompleted>(m => m.Context.Message.CallId == "second").First().Context.Message;
            Assert.Equal("pool_full", failed.ErrorCode);
        }
        finally
        {
            await harness.Stop();
            using var client = DockerFixture.CreateClient();
            foreach (var c in await client.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"berth.executor={executorId}"] = true } },
            }))
            {
                await client.Containers.RemoveContainerAsync(c.ID, new ContainerRemoveParameters { Force = true });
            }
        }
    }

    [Fact]
    public async Task Should_tell_the_tenant_only_the_status_and_trace_when_docker_refuses_a_container()
    {
        Assert.SkipWhen(docker.UnavailableReason is not null, docker.UnavailableReason ?? "");
        var executorId = $"test-refused-{Guid.NewGuid().ToString("N")[..8]}";
        const string image = "berth-test-no-such-image:never";
        await using var provider = ExecutorHarness.Provider(executorId, o =>
        {
            o.Image = image;
            o.WarmContainers = 0;
        });
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        try
        {
            var pool = await harness.Bus.GetSendEndpoint(Endpoints.Executors);
            await pool.Send(Call(Guid.NewGuid(), "refused", containerId: null), TestContext.Current.CancellationToken);

            Assert.True(await harness.Published.Any<ToolCallCompleted>(m => m.Context.Message.CallId == "refused", TestContext.Current.CancellationToken));
            var failed = harness.Published.Select<ToolCallCompleted>(m => m.Context.Message.CallId == "refused").First().Context.Message;
            Assert.Equal(ErrorCodes.SandboxError, failed.ErrorCode);
            Assert.Contains("the Docker engine answered HTTP 404", failed.Error, StringComparison.Ordinal);
            Assert.DoesNotContain(image, failed.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("No such image", failed.Error, StringComparison.Ordinal);
        }
        finally
        {
            await harness.Stop();
        }
    }

    private static ToolCallRequested Call(Guid sessionId, string callId, string? containerId) => new()
    {
        SessionId = sessionId,
        ResponseId = "resp_capacity",
        CallId = callId,
        Commands = ["true"],
        ContainerId = containerId,
    };
}
