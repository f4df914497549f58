using System.Diagnostics;
using Berth.Executor;
using Berth.Executor.Sandbox;
using Berth.IntegrationTests.Fixtures;
using Microsoft.Extensions.Options;

namespace Berth.IntegrationTests.Executor;

/// <summary>
/// The Containers API's file operations against a container whose sandbox user has planted
/// traps: FIFOs under the names the executor opens, processes that stop the operation's own, a
/// forged record of uploads. Each operation ends by its deadline, never waits on the trap, and
/// tells the tenant's files from the agent's by the executor's record alone.
/// </summary>
public sealed class ContainerFilesTests(DockerFixture docker) : SandboxTestBase(docker, "files"), IClassFixture<DockerFixture>
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Should_replace_a_fifo_planted_under_the_name_instead_of_waiting_on_it_when_a_file_is_uploaded()
    {
        var (sandbox, files, session, container) = await StartAsync(fileOperationSeconds: 30);
        await sandbox.RunAsync(container, "mkfifo /mnt/data/p", 10_000, 1_000, CancellationToken.None);

        var put = await files.PutAsync(session, container, "p", "hello"u8.ToArray(), CancellationToken.None).WaitAsync(Hang);

        Assert.Equal(5, put.Bytes);
        var written = await sandbox.RunAsync(container, "[ -f /mnt/data/p ] && cat /mnt/data/p", 10_000, 1_000, CancellationToken.None);
        Assert.Equal("hello", written.Stdout);
    }

    [Fact]
    public async Task Should_end_a_file_operation_with_timeout_when_the_sandbox_stops_its_processes_past_the_deadline()
    {
        // The deadline is short, so nothing but the operation under test runs under it: a busy
        // machine has made a preparatory upload miss it.
        var (sandbox, files, session, container) = await StartAsync(fileOperationSeconds: 2);

        // Every process whose command line names /mnt/data (the operation's shell, and the
        // timeout(1) that would kill it) is stopped as soon as it appears; the bracket keeps the
        // loop from matching itself. Only the executor's own deadline is left to end the wait.
        // Three such loops, so that one is always scanning: on a busy machine one loop alone has
        // missed a short-lived operation five times running.
        await sandbox.RunAsync(container, "for i in 1 2 3; do (while :; do pkill -STOP -f 'mnt/dat[a]'; done) > /dev/null 2>&1 & done", 10_000, 1_000, CancellationToken.None);
        var outcomes = new List<string>();
        for (var attempt = 0; attempt < 30 && !outcomes.Contains("timeout"); attempt++)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                await files.ListAsync(session, container, CancellationToken.None).WaitAsync(Hang);
                outcomes.Add("listed");
            }
            catch (FileOperationException e)
            {
                outcomes.Add(e.Code);
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the operation took {clock.Elapsed.TotalSeconds:0.0} s to give up");
        }

        // The trap races the operation's start, so it may miss a few times; thirty times running it does not.
        Assert.Contains("timeout", outcomes);
    }

    [Fact]
    public async Task Should_tell_uploads_from_the_agents_files_by_the_executors_record_whatever_the_container_writes()
    {
        var (sandbox, files, session, container) = await StartAsync(fileOperationSeconds: 30);

        // Before any file, then with a forged record of the kind the container once kept.
        await sandbox.RunAsync(container, "printf 'garbage\\0\\0 x y\\nagent.txt\\n' > /tmp/.berth-uploads", 10_000, 1_000, CancellationToken.None);
        Assert.Empty(await files.ListAsync(session, container, CancellationToken.None));

        await files.PutAsync(session, container, "dir/../up.txt", "from the tenant"u8.ToArray(), CancellationToken.None);
        await sandbox.RunAsync(container, "echo mine > agent.txt; echo agent.txt >> /tmp/.berth-uploads", 10_000, 1_000, CancellationToken.None);

        var listed = (await files.ListAsync(session, container, CancellationToken.None)).ToDictionary(f => f.Path, f => f.Source);
        Assert.Equal(new Dictionary<string, string> { ["agent.txt"] = "assistant", ["up.txt"] = "user" }, listed);
        Assert.Equal("assistant", (await files.GetAsync(session, container, "agent.txt", includeContent: false, CancellationToken.None)).Source);
        Assert.Equal("user", (await files.GetAsync(session, container, "up.txt", includeContent: false, CancellationToken.None)).Source);

        // Once the tenant deletes its upload, a file the agent writes under that name is the agent's.
        await files.DeleteAsync(session, container, "up.txt", CancellationToken.None);
        await sandbox.RunAsync(container, "echo again > up.txt", 10_000, 1_000, CancellationToken.None);
        Assert.Equal("assistant", (await files.GetAsync(session, container, "up.txt", includeContent: false, CancellationToken.None)).Source);
    }

    private async Task<(DockerSandbox Sandbox, ContainerFiles Files, Guid Session, string Container)> StartAsync(int fileOperationSeconds)
    {
        var settings = new ExecutorOptions
        {
            InstanceId = ExecutorId,
            Image = DockerFixture.SandboxImage,
            WarmContainers = 0,
            FileOperationSeconds = fileOperationSeconds,
        };
        var sandbox = DockerSandbox.Create(Docker.Client, settings);
        var session = Guid.NewGuid();
        var container = await sandbox.EnsureContainerAsync(session, null, CancellationToken.None);
        return (sandbox, new ContainerFiles(Docker.Client, Options.Create(settings), sandbox.Uploads), session, container);
    }
}
