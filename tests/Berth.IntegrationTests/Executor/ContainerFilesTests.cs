using System.Diagnostics;
using Berth.Executor;
using Berth.Executor.Sandbox;
using Berth.IntegrationTests.Fixtures;
using Microsoft.Extensions.Options;

namespace Berth.IntegrationTests.Executor;

/// <summary>
/// The Containers API's file operations against a container whose sandbox user has planted
/// traps: FIFOs under the names the executor opens. Each operation ends by its deadline and
/// never waits on the trap.
/// </summary>
public sealed class ContainerFilesTests(DockerFixture docker) : SandboxTestBase(docker, "files"), IClassFixture<DockerFixture>
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Should_replace_a_fifo_planted_under_the_name_instead_of_waiting_on_it_when_a_file_is_uploaded()
    {
        var (sandbox, files, container) = await StartAsync(fileOperationSeconds: 30);
        await sandbox.RunAsync(container, "mkfifo /mnt/data/p", 10_000, 1_000, CancellationToken.None);

        var put = await files.PutAsync(container, "p", "hello"u8.ToArray(), CancellationToken.None).WaitAsync(Hang);

        Assert.Equal(5, put.Bytes);
        var written = await sandbox.RunAsync(container, "[ -f /mnt/data/p ] && cat /mnt/data/p", 10_000, 1_000, CancellationToken.None);
        Assert.Equal("hello", written.Stdout);
    }

    [Fact]
    public async Task Should_end_a_file_operation_with_timeout_when_what_it_opens_blocks_past_its_deadline()
    {
        var (sandbox, files, container) = await StartAsync(fileOperationSeconds: 2);
        await files.PutAsync(container, "kept.txt", "kept"u8.ToArray(), CancellationToken.None);

        // The uploads manifest is in /tmp, which the sandbox user may write: swapped for a FIFO
        // with no writer, reading it would wait for ever.
        await sandbox.RunAsync(container, "rm -f /tmp/.berth-uploads && mkfifo /tmp/.berth-uploads", 10_000, 1_000, CancellationToken.None);
        var clock = Stopwatch.StartNew();
        var refused = await Assert.ThrowsAsync<FileOperationException>(() => files.GetAsync(container, "kept.txt", includeContent: false, CancellationToken.None).WaitAsync(Hang));

        Assert.Equal("timeout", refused.Code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the operation took {clock.Elapsed.TotalSeconds:0.0} s to give up");
    }

    private async Task<(DockerSandbox Sandbox, ContainerFiles Files, string Container)> StartAsync(int fileOperationSeconds)
    {
        var settings = new ExecutorOptions
        {
            InstanceId = ExecutorId,
            Image = DockerFixture.SandboxImage,
            WarmContainers = 0,
            FileOperationSeconds = fileOperationSeconds,
        };
        var sandbox = DockerSandbox.Create(Docker.Client, settings);
        var container = await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, CancellationToken.None);
        return (sandbox, new ContainerFiles(Docker.Client, Options.Create(settings)), container);
    }
}
