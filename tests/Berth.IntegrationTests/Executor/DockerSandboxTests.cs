using Berth.Executor;
using Berth.Executor.Sandbox;
using Berth.IntegrationTests.Fixtures;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Berth.IntegrationTests.Executor;

/// <summary>The executor's container lifecycle on the real Docker engine: adoption after a restart, idle expiry, ownership.</summary>
public sealed class DockerSandboxTests(DockerFixture docker) : SandboxTestBase(docker, "sandbox"), IClassFixture<DockerFixture>
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), $"berth-sandbox-test-{Guid.NewGuid():N}");

    private DockerSandbox NewSandbox(string? executorId = null, int warm = 0) => DockerSandbox.Create(Docker.Client, new ExecutorOptions
    {
        InstanceId = executorId ?? ExecutorId,
        Image = DockerFixture.SandboxImage,
        WarmContainers = warm,
        StateDirectory = _stateDirectory,
    });

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_stateDirectory))
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Should_adopt_its_containers_with_their_files_when_restarted()
    {
        var session = Guid.NewGuid();
        var before = NewSandbox();
        var container = await before.EnsureContainerAsync(session, null, CancellationToken.None);
        await before.RunAsync(container, "echo kept > /mnt/data/f", 5_000, 100, CancellationToken.None);

        var after = NewSandbox();
        Assert.Equal(1, await after.AdoptAsync(CancellationToken.None));
        Assert.Equal(1, after.LiveContainers);

        Assert.Equal(container, await after.EnsureContainerAsync(session, container, CancellationToken.None));
        Assert.Equal("kept\n", (await after.RunAsync(container, "cat /mnt/data/f", 5_000, 100, CancellationToken.None)).Stdout);
    }

    [Fact]
    public async Task Should_remove_an_idle_container_and_say_so_when_its_session_returns()
    {
        var session = Guid.NewGuid();
        var sandbox = NewSandbox();
        var container = await sandbox.EnsureContainerAsync(session, null, CancellationToken.None);

        Assert.Equal([session], await sandbox.ReapIdleAsync(TimeSpan.Zero, CancellationToken.None));

        await Assert.ThrowsAsync<Docker.DotNet.DockerContainerNotFoundException>(() => Docker.Client.Containers.InspectContainerAsync(container));
        var gone = await Assert.ThrowsAsync<ContainerGoneException>(() => sandbox.EnsureContainerAsync(session, container, CancellationToken.None));
        Assert.Contains("expired", gone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_not_reap_a_container_while_a_call_runs_in_it()
    {
        var session = Guid.NewGuid();
        var sandbox = NewSandbox();
        await sandbox.EnsureContainerAsync(session, null, CancellationToken.None);

        using (sandbox.Use(session))
        {
            Assert.Empty(await sandbox.ReapIdleAsync(TimeSpan.Zero, CancellationToken.None));
        }

        Assert.Equal([session], await sandbox.ReapIdleAsync(TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public async Task Should_not_run_in_another_executors_container()
    {
        var session = Guid.NewGuid();
        var owner = NewSandbox();
        var container = await owner.EnsureContainerAsync(session, null, CancellationToken.None);

        var stranger = NewSandbox($"{ExecutorId}-x");

        await Assert.ThrowsAsync<ContainerGoneException>(() => stranger.EnsureContainerAsync(session, container, CancellationToken.None));
        Assert.Equal(0, await stranger.AdoptAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Should_give_a_new_session_a_warm_container_and_refill_the_pool()
    {
        var sandbox = NewSandbox(warm: 2);
        Assert.Equal(2, await sandbox.RefillWarmAsync(CancellationToken.None));
        var warm = await WarmContainerIdsAsync();
        Assert.Equal(2, warm.Count);

        var session = Guid.NewGuid();
        var container = await sandbox.EnsureContainerAsync(session, null, CancellationToken.None);

        Assert.Contains(container, warm);
        Assert.Equal($"/berth-{session:N}", (await Docker.Client.Containers.InspectContainerAsync(container)).Name);
        Assert.Equal(1, sandbox.WarmContainers);
        Assert.Equal(1, await sandbox.RefillWarmAsync(CancellationToken.None));

        // After a restart the claimed container is the session's again, and the rest are warm.
        var restarted = NewSandbox(warm: 2);
        Assert.Equal(1, await restarted.AdoptAsync(CancellationToken.None));
        Assert.Equal(2, restarted.WarmContainers);
        Assert.Equal(container, await restarted.EnsureContainerAsync(session, container, CancellationToken.None));
    }

    [Fact]
    public async Task Should_keep_warm_containers_per_memory_limit_and_give_a_session_one_of_its_limit()
    {
        var sandbox = DockerSandbox.Create(Docker.Client, new ExecutorOptions
        {
            InstanceId = ExecutorId,
            Image = DockerFixture.SandboxImage,
            WarmContainers = 1,
            WarmContainersByMemoryMb = new Dictionary<int, int> { [1024] = 1 },
        });
        Assert.Equal(2, await sandbox.RefillWarmAsync(CancellationToken.None));
        var warm = await WarmContainerIdsAsync();

        var large = await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, CancellationToken.None, memoryMb: 1024);
        Assert.Contains(large, warm);
        Assert.Equal(1024L * 1024 * 1024, (await Docker.Client.Containers.InspectContainerAsync(large)).HostConfig!.Memory);

        // No warm container of that limit is left: the next is made to measure, and the default one stays warm.
        var another = await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, CancellationToken.None, memoryMb: 1024);
        Assert.DoesNotContain(another, warm);
        Assert.Equal(1, sandbox.WarmContainers);

        // After a restart each warm container goes back to the pool of its own limit.
        Assert.Equal(1, await sandbox.RefillWarmAsync(CancellationToken.None));
        var restarted = DockerSandbox.Create(Docker.Client, new ExecutorOptions { InstanceId = ExecutorId, Image = DockerFixture.SandboxImage, WarmContainers = 1 });
        await restarted.AdoptAsync(CancellationToken.None);
        var adopted = await restarted.EnsureContainerAsync(Guid.NewGuid(), null, CancellationToken.None, memoryMb: 1024);
        Assert.Equal(1024L * 1024 * 1024, (await Docker.Client.Containers.InspectContainerAsync(adopted)).HostConfig!.Memory);
        Assert.Contains(adopted, await WarmContainerIdsAsync());
    }

    private async Task<List<string>> WarmContainerIdsAsync() =>
        [.. (await Docker.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"berth.executor={ExecutorId}"] = true, ["berth.warm=true"] = true },
            },
        })).Select(c => c.ID)];

    [Fact]
    public async Task Should_keep_a_container_for_its_own_idle_limit()
    {
        var sandbox = NewSandbox();
        var brief = Guid.NewGuid();
        var lasting = Guid.NewGuid();
        await sandbox.EnsureContainerAsync(brief, null, CancellationToken.None);
        await sandbox.EnsureContainerAsync(lasting, null, CancellationToken.None);
        sandbox.SetIdleLimit(lasting, TimeSpan.FromHours(1));

        Assert.Equal([brief], await sandbox.ReapIdleAsync(TimeSpan.Zero, CancellationToken.None));
        Assert.Equal(1, sandbox.LiveContainers);
    }

    [Fact]
    public async Task Should_keep_a_containers_own_idle_limit_when_the_executor_restarts()
    {
        var before = NewSandbox();
        var brief = Guid.NewGuid();
        var lasting = Guid.NewGuid();
        await before.EnsureContainerAsync(brief, null, CancellationToken.None);
        await before.EnsureContainerAsync(lasting, null, CancellationToken.None);
        before.SetIdleLimit(lasting, TimeSpan.FromHours(1));

        var after = NewSandbox();
        Assert.Equal(2, await after.AdoptAsync(CancellationToken.None));

        Assert.Equal([brief], await after.ReapIdleAsync(TimeSpan.Zero, CancellationToken.None));
        Assert.Equal(1, after.LiveContainers);
    }

    [Fact]
    public async Task Should_remove_a_session_container_on_request()
    {
        var sandbox = NewSandbox();
        var session = Guid.NewGuid();
        var container = await sandbox.EnsureContainerAsync(session, null, CancellationToken.None);

        Assert.True(await sandbox.RemoveSessionAsync(session, CancellationToken.None));
        Assert.False(await sandbox.RemoveSessionAsync(session, CancellationToken.None));
        await Assert.ThrowsAsync<ContainerGoneException>(() => sandbox.EnsureContainerAsync(session, container, CancellationToken.None));
    }
}
