using System.Diagnostics;
using Berth.Contracts;
using Berth.Executor;
using Berth.Executor.Sandbox;
using Berth.IntegrationTests.Fixtures;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Berth.IntegrationTests.Executor;

/// <summary>
/// Commands written to hurt, run in the executor's real sandbox under runc and under gVisor's
/// runsc. Each must be contained: its output says what happened, a neighbouring session is
/// untouched, and the same session keeps working, with its files.
/// </summary>
[Collection(HostileCommandsCollection.Name)]
public sealed class HostileCommandTests(DockerFixture docker) : SandboxTestBase(docker, "hostile"), IClassFixture<DockerFixture>
{
    private const int OutputLimit = 16_384;
    [Theory]
    [InlineData("runc")]
    [InlineData("runsc")]
    public async Task Should_contain_a_fork_bomb_when_it_hits_the_pid_limit(string runtime)
    {
        await using var arena = await ArenaAsync(runtime);

        var bomb = await arena.RunAsync("bomb() { bomb | bomb & }; bomb; sleep 5", timeoutMs: 3_000);

        Assert.True(bomb.TimedOut || bomb.ExitCode is not 0, $"the fork bomb ended as if nothing happened: {Describe(bomb)}");
        await arena.AssertStillFineOrSaysItStoppedAsync();
    }

    [Theory]
    [InlineData("runc")]
    [InlineData("runsc")]
    public async Task Should_contain_a_memory_bomb_when_it_hits_the_memory_limit(string runtime)
    {
        await using var arena = await ArenaAsync(runtime);

        var bomb = await arena.RunAsync("python3 -c \"x = b'x' * (2 * 1024**3)\"", timeoutMs: 30_000);

        Assert.NotEqual(0, bomb.ExitCode);
        await arena.AssertStillFineOrSaysItStoppedAsync();
    }

    [Theory]
    [InlineData("runc")]
    [InlineData("runsc")]
    public async Task Should_stop_a_disk_filler_at_the_workspace_and_tmp_limits(string runtime)
    {
        await using var arena = await ArenaAsync(runtime);

        var workspace = await arena.RunAsync("dd if=/dev/zero of=/mnt/data/fill bs=1M count=2048", timeoutMs: 60_000);
        var tmp = await arena.RunAsync("dd if=/dev/zero of=/tmp/fill bs=1M count=2048", timeoutMs: 60_000);
        var root = await arena.RunAsync("echo x > /usr/local/bin/planted", timeoutMs: 5_000);

        Assert.NotEqual(0, workspace.ExitCode);
        Assert.Contains("No space left on device", workspace.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, tmp.ExitCode);
        Assert.Contains("No space left on device", tmp.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, root.ExitCode);

        Assert.Equal("freed\n", (await arena.RunAsync("rm -f /mnt/data/fill /tmp/fill && echo freed", timeoutMs: 10_000)).Stdout);
        await arena.AssertStillFineAsync();
    }

    [Theory]
    [InlineData("runc")]
    [InlineData("runsc")]
    public async Task Should_cap_a_flood_of_output_and_say_how_much_was_cut(string runtime)
    {
        await using var arena = await ArenaAsync(runtime);

        var flood = await arena.RunAsync("yes flood | head -c 200000000", timeoutMs: 60_000);

        Assert.Equal(0, flood.ExitCode);
        Assert.True(flood.Stdout.Length < OutputLimit + 100, $"kept {flood.Stdout.Length} characters of output");
        Assert.Contains("bytes truncated", flood.Stdout, StringComparison.Ordinal);
        await arena.AssertStillFineAsync();
    }

    [Theory]
    [InlineData("runc")]
    [InlineData("runsc")]
    public async Task Should_refuse_every_way_out_to_the_network(string runtime)
    {
        await using var arena = await ArenaAsync(runtime);

        var tcp = await arena.RunAsync("python3 -c \"import socket; socket.create_connection(('1.1.1.1', 80), timeout=3)\"", timeoutMs: 15_000);
        var dns = await arena.RunAsync("getent hosts example.com", timeoutMs: 15_000);
        var interfaces = await arena.RunAsync("ls /sys/class/net", timeoutMs: 5_000);

        Assert.NotEqual(0, tcp.ExitCode);
        Assert.NotEqual(0, dns.ExitCode);
        Assert.All(interfaces.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), name => Assert.Equal("lo", name));
        await arena.AssertStillFineAsync();
    }

    [Theory]
    [InlineData("runc")]
    [InlineData("runsc")]
    public async Task Should_keep_the_docker_socket_and_the_host_out_of_reach(string runtime)
    {
        await using var arena = await ArenaAsync(runtime);

        var socket = await arena.RunAsync("[ -e /var/run/docker.sock ] || [ -e /run/docker.sock ]", timeoutMs: 5_000);
        var mount = await arena.RunAsync("mount -t tmpfs none /mnt", timeoutMs: 5_000);
        var user = await arena.RunAsync("id -u", timeoutMs: 5_000);
        var capabilities = await arena.RunAsync("grep CapEff /proc/self/status", timeoutMs: 5_000);

        Assert.NotEqual(0, socket.ExitCode);
        Assert.NotEqual(0, mount.ExitCode);
        Assert.Equal("1000\n", user.Stdout);
        Assert.Equal("CapEff:\t0000000000000000\n", capabilities.Stdout);
        await arena.AssertStillFineAsync();
    }

    [Theory]
    [InlineData("runc")]
    [InlineData("runsc")]
    public async Task Should_end_a_command_that_sleeps_past_its_timeout(string runtime)
    {
        await using var arena = await ArenaAsync(runtime);
        var clock = Stopwatch.StartNew();

        var sleeper = await arena.RunAsync("sleep 60", timeoutMs: 1_000);

        Assert.True(sleeper.TimedOut, Describe(sleeper));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the timed-out command held the call for {clock.Elapsed}");
        await arena.AssertStillFineAsync();
    }

    [Theory]
    [InlineData("runc")]
    [InlineData("runsc")]
    public async Task Should_keep_the_container_and_its_files_when_a_command_kills_every_process(string runtime)
    {
        await using var arena = await ArenaAsync(runtime);

        await arena.RunAsync("kill -9 -1", timeoutMs: 5_000);

        await arena.AssertStillFineAsync();
    }

    [Theory]
    [InlineData("runc")]
    [InlineData("runsc")]
    public async Task Should_keep_the_hosts_container_log_small_when_a_command_writes_300_MB_to_pid_1s_output(string runtime)
    {
        await using var arena = await ArenaAsync(runtime);

        // PID 1 is the sandbox user's, so its output is the command's to write: without a cap it
        // streams into the engine's log file on the host's disk.
        var flood = await arena.RunAsync("head -c 300M /dev/zero | tr '\\0' a > /proc/1/fd/1 && echo written", timeoutMs: 120_000);
        Assert.True(flood.Stdout == "written\n", $"the flood was not written: {Describe(flood)}");

        var logPath = (await Docker.Client.Containers.InspectContainerAsync(arena.Victim)).LogPath;
        var logged = string.IsNullOrEmpty(logPath) || !File.Exists(logPath) ? 0 : new FileInfo(logPath).Length;
        Assert.True(logged < 10L * 1024 * 1024, $"the host's log file for the container holds {logged / (1024 * 1024)} MB ({logPath})");
        await arena.AssertStillFineAsync();
    }

    [Theory]
    [InlineData("runc")]
    [InlineData("runsc")]
    public async Task Should_keep_the_real_end_and_exit_code_when_a_command_prints_the_end_marker_itself(string runtime)
    {
        await using var arena = await ArenaAsync(runtime);

        // The marker the shell prints after a command: record separator, BERTH, the nonce, the code.
        var forged = await arena.RunAsync("printf '\\036BERTH:%s:0\\036' \"$nonce\"; echo \"nonce=${nonce:-unset}\"; sleep 1; echo after; exit 7", timeoutMs: 10_000);

        Assert.Contains("nonce=unset", forged.Stdout, StringComparison.Ordinal);
        Assert.Contains("after", forged.Stdout, StringComparison.Ordinal);
        Assert.Equal(7, forged.ExitCode);
        await arena.AssertStillFineAsync();
    }

    // runc only: under gVisor a fork bomb takes the whole sandbox down (see the fork bomb test
    // above), and there is nothing left running to end.
    [Fact]
    public async Task Should_end_a_fork_bomb_left_running_when_the_shell_ends_what_was_left()
    {
        await using var arena = await ArenaAsync("runc");

        var left = await arena.RunAsync("(bomb() { bomb | bomb & }; bomb) >/dev/null 2>&1 & echo left", timeoutMs: 5_000);
        Assert.Equal("left\n", left.Stdout);
        await Eventually.TrueAsync(async () => await arena.ProcessesAsync() >= 100, TimeSpan.FromSeconds(30), "the fork bomb to make more than 100 processes");

        var ended = await arena.EndLeftRunningAsync();

        Assert.True(ended >= 100, $"the shell ended {ended} processes");
        await Eventually.TrueAsync(async () => await arena.ProcessesAsync() < 10, TimeSpan.FromSeconds(20), "the killed processes to be gone");
        await arena.AssertStillFineAsync();
    }

    private async Task<Arena> ArenaAsync(string runtime)
    {
        var runtimes = (await Docker.Client.System.GetSystemInfoAsync()).Runtimes;
        Assert.SkipUnless(runtimes.ContainsKey(runtime),
            $"The Docker engine here has no '{runtime}' runtime ('./berth setup' registers gVisor's runsc where it is installed).");

        var sandbox = DockerSandbox.Create(Docker.Client, new ExecutorOptions
        {
            InstanceId = ExecutorId,
            Image = DockerFixture.SandboxImage,
            WarmContainers = 0,
            Runtime = runtime,
        });
        var victim = await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, CancellationToken.None);
        var neighbour = await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, CancellationToken.None);
        var arena = new Arena(sandbox, Docker.Client, victim, neighbour);
        Assert.Equal("kept\n", (await arena.RunAsync("echo kept > /mnt/data/kept.txt && cat /mnt/data/kept.txt", timeoutMs: 10_000)).Stdout);
        return arena;
    }

    private static string Describe(CommandOutput output) =>
        $"exit {output.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, timed out {output.TimedOut}, stderr '{output.Stderr[..Math.Min(300, output.Stderr.Length)]}'";

    /// <summary>A victim session and its neighbour, each with a container of its own.</summary>
    private sealed class Arena(DockerSandbox sandbox, Docker.DotNet.DockerClient docker, string victim, string neighbour) : IAsyncDisposable
    {
        public string Victim => victim;

        public Task<CommandOutput> RunAsync(string command, int timeoutMs) =>
            sandbox.RunAsync(victim, command, timeoutMs, OutputLimit, CancellationToken.None);

        public async Task<int?> EndLeftRunningAsync() => await sandbox.EndLeftRunningAsync(victim, CancellationToken.None);

        /// <summary>The victim container's processes, as <c>docker top</c> lists them: no process is started in the container to count.</summary>
        public async Task<int> ProcessesAsync() =>
            (await docker.Containers.ListProcessesAsync(victim, new ContainerListProcessesParameters(), CancellationToken.None)).Processes.Count;

        /// <summary>
        /// The victim's session runs commands again (once the attack's leftovers are gone) and
        /// still has its file; the neighbour never noticed.
        /// </summary>
        public async Task AssertStillFineAsync()
        {
            await Eventually.TrueAsync(async () => (await sandbox.RunAsync(victim, "cat /mnt/data/kept.txt", 5_000, OutputLimit, CancellationToken.None)).Stdout == "kept\n",
                TimeSpan.FromSeconds(20), "the session to run commands again and still have its file");

            Assert.Equal("next door\n", (await sandbox.RunAsync(neighbour, "echo next door", 5_000, OutputLimit, CancellationToken.None)).Stdout);
        }

        /// <summary>
        /// Under gVisor an attack on the sandbox's resources can take the whole container down.
        /// That is still contained, if the session then says so clearly and the neighbour is fine.
        /// </summary>
        public async Task AssertStillFineOrSaysItStoppedAsync()
        {
            try
            {
                await AssertStillFineAsync();
            }
            catch (ContainerStoppedException stopped)
            {
                Assert.Contains("stopped", stopped.Message, StringComparison.Ordinal);
                Assert.Contains("files are gone", stopped.Message, StringComparison.Ordinal);
                Assert.Equal("next door\n", (await sandbox.RunAsync(neighbour, "echo next door", 5_000, OutputLimit, CancellationToken.None)).Stdout);
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>
/// Fork and memory bombs load the whole machine for a while: they run alone, after the other
/// tests, so no other test's timing pays for them. Whether a neighbour is affected is checked
/// by the neighbour container in each test, not by luck.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostileCommandsCollection
{
    public const string Name = "Hostile commands";
}
