using System.Diagnostics;
using Berth.Executor;
using Berth.Executor.Sandbox;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Bench;

/// <summary>
/// What the sandbox itself costs, measured beside raw Docker in the same run: a command in a
/// running session, and a new session's first command with and without the warm pool; under
/// runc, and under gVisor's runsc where the engine has it.
/// </summary>
public static class SandboxBench
{
    private const string Command = "echo hi";

    public static async Task RunAsync(BenchOptions options, Table table)
    {
        using var docker = new DockerClientBuilder().WithEndpoint(new Uri(Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "unix:///var/run/docker.sock")).Build();
        var executorId = $"bench-{Guid.NewGuid().ToString("N")[..8]}";
        try
        {
            await InSessionAsync(docker, executorId, options, table);
            await ColdStartAsync(docker, executorId, options, table);
            if ((await docker.System.GetSystemInfoAsync()).Runtimes?.ContainsKey(Runsc) == true)
            {
                await UnderRunscAsync(docker, executorId, options, table);
            }
            else
            {
                table.Note("gVisor (runsc) is not registered with this Docker engine: no runsc rows.");
            }
        }
        finally
        {
            await RemoveAsync(docker, executorId);
        }
    }

    /// <summary>1. `echo hi` in a running container: raw `docker exec` through the API, then Berth's executor with exec, then with its persistent shell.</summary>
    private static async Task InSessionAsync(DockerClient docker, string executorId, BenchOptions options, Table table)
    {
        var execSandbox = Sandbox(docker, executorId, options, warm: 0, CommandMode.Exec);
        var execContainer = await execSandbox.EnsureContainerAsync(Guid.NewGuid(), null, CancellationToken.None);
        var shellSandbox = Sandbox(docker, executorId, options, warm: 0, CommandMode.Shell);
        var shellContainer = await shellSandbox.EnsureContainerAsync(Guid.NewGuid(), null, CancellationToken.None);

        // Each way in a block of its own, after a warm-up (connections, JIT): interleaved, every
        // `docker exec` leaves the engine busy tidying up while the next, much shorter, shell
        // command runs, and the shell would be measured on an engine loaded by the others.
        table.Add("in-session `echo hi`", await BlockAsync("raw docker exec (Docker API)", options, () => RawExecAsync(docker, execContainer)));
        table.Add("in-session `echo hi`", await BlockAsync("Berth executor, exec per command", options, () => EchoAsync(execSandbox, execContainer)));
        table.Add("in-session `echo hi`", await BlockAsync("Berth executor, persistent shell", options, () => EchoAsync(shellSandbox, shellContainer)));
        table.Add("in-session `echo hi`", await ForkFloorAsync(docker, shellContainer, options));
    }

    /// <summary>
    /// The floor under any command that runs in a process group of its own: bash starting one
    /// background subshell and waiting for it, timed inside the sandbox with bash's own clock
    /// (no process is started to read the time). The shell pays this once per command.
    /// </summary>
    private static async Task<Timings> ForkFloorAsync(DockerClient docker, string container, BenchOptions options)
    {
        var script = $"set -m; for ((i = 0; i < {options.Commands + 20}; i++)); do a=$EPOCHREALTIME; ( eval : ) </dev/null & wait $!; echo \"$a $EPOCHREALTIME\"; done";
        var exec = await docker.Exec.CreateContainerExecAsync(container, new ContainerExecCreateParameters { Cmd = ["bash", "-c", script], AttachStdout = true, AttachStderr = true });
        using var stream = await docker.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters());
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(CancellationToken.None);
        var samples = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ').Select(t => decimal.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToArray())
            .ToList();
        if (samples.Count != options.Commands + 20)
        {
            throw new InvalidOperationException($"the fork loop gave {samples.Count} samples: {stderr}");
        }

        var timings = new Timings("floor: bash starts and reaps one subshell, timed inside the sandbox");
        foreach (var sample in samples.Skip(20))
        {
            timings.Add(TimeSpan.FromSeconds((double)(sample[1] - sample[0])));
        }

        return timings;
    }

    private static async Task<Timings> BlockAsync(string name, BenchOptions options, Func<Task> command)
    {
        for (var i = 0; i < Math.Max(5, options.Commands / 20); i++)
        {
            await command();
        }

        var timings = new Timings(name);
        for (var i = 0; i < options.Commands; i++)
        {
            timings.Add(await TimeAsync(command));
        }

        return timings;
    }

    private static async Task EchoAsync(DockerSandbox sandbox, string container)
    {
        var output = await sandbox.RunAsync(container, Command, 10_000, 1024, CancellationToken.None);
        if (output.Stdout != "hi\n")
        {
            throw new InvalidOperationException($"unexpected output: {output.Stdout}{output.Stderr}");
        }
    }

    /// <summary>
    /// 3. A new session's first output: `docker run` of the same image (under runc only), then
    /// Berth without and with a warm container, under <paramref name="runtime"/> (null: runc).
    /// </summary>
    private static async Task ColdStartAsync(DockerClient docker, string executorId, BenchOptions options, Table table, string? runtime = null)
    {
        var run = runtime is null ? new Timings("docker run (create, start, exec)") : null;
        var cold = new Timings("Berth, no warm pool");
        var warm = new Timings("Berth, warm pool");
        var coldSandbox = Sandbox(docker, executorId, options, warm: 0, runtime: runtime);
        var warmSandbox = Sandbox(docker, executorId, options, warm: 1, runtime: runtime);
        for (var i = 0; i < options.ColdStarts; i++)
        {
            if (run is not null)
            {
                run.Add(await TimeAsync(() => DockerRunAsync(docker, executorId, options.Image)));
            }

            cold.Add(await TimeAsync(() => FirstCommandAsync(coldSandbox)));

            await warmSandbox.RefillWarmAsync(CancellationToken.None);
            warm.Add(await TimeAsync(() => FirstCommandAsync(warmSandbox)));
        }

        var section = runtime is null ? "new session, first output" : $"new session, first output, {runtime}";
        if (run is not null)
        {
            table.Add(section, run);
        }

        table.Add(section, cold);
        table.Add(section, warm);
    }

    private const string Runsc = "runsc";

    /// <summary>
    /// The same under gVisor (<c>Executor__Runtime=runsc</c>), the runtime for operators serving
    /// many tenants, beside raw <c>docker exec</c> into the same runsc container.
    /// </summary>
    private static async Task UnderRunscAsync(DockerClient docker, string executorId, BenchOptions options, Table table)
    {
        var shell = Sandbox(docker, executorId, options, warm: 0, runtime: Runsc);
        var container = await shell.EnsureContainerAsync(Guid.NewGuid(), null, CancellationToken.None);
        table.Add("in-session `echo hi`, runsc", await BlockAsync("raw docker exec (Docker API)", options, () => RawExecAsync(docker, container)));
        table.Add("in-session `echo hi`, runsc", await BlockAsync("Berth executor, persistent shell", options, () => EchoAsync(shell, container)));
        await ColdStartAsync(docker, executorId, options, table, Runsc);
    }

    private static async Task FirstCommandAsync(DockerSandbox sandbox)
    {
        var container = await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, CancellationToken.None);
        await sandbox.RunAsync(container, Command, 10_000, 1024, CancellationToken.None);
    }

    private static DockerSandbox Sandbox(DockerClient docker, string executorId, BenchOptions options, int warm, CommandMode mode = CommandMode.Shell, string? runtime = null) =>
        DockerSandbox.Create(docker, new ExecutorOptions { InstanceId = executorId, Image = options.Image, WarmContainers = warm, MaxContainers = 10_000, CommandMode = mode, Runtime = runtime });

    private static async Task RawExecAsync(DockerClient docker, string container)
    {
        var exec = await docker.Exec.CreateContainerExecAsync(container, new ContainerExecCreateParameters { Cmd = ["sh", "-c", Command], AttachStdout = true, AttachStderr = true });
        using var stream = await docker.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters());
        var (stdout, _) = await stream.ReadOutputToEndAsync(CancellationToken.None);
        if (stdout != "hi\n")
        {
            throw new InvalidOperationException($"unexpected output: {stdout}");
        }
    }

    /// <summary>The same as `docker run --rm IMAGE sh -c 'echo hi'` through the API, with the sandbox's isolation settings that matter for start-up.</summary>
    private static async Task DockerRunAsync(DockerClient docker, string executorId, string image)
    {
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Cmd = ["sleep", "infinity"],
            Labels = new Dictionary<string, string> { ["berth.managed"] = "true", ["berth.executor"] = executorId },
            NetworkDisabled = true,
            HostConfig = new HostConfig { NetworkMode = "none" },
        });
        await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        await RawExecAsync(docker, created.ID);
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed;
    }

    /// <summary>Removes every container an executor of this name made.</summary>
    public static async Task RemoveAsync(DockerClient docker, string executorId)
    {
        var ours = await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"berth.executor={executorId}"] = true } },
        });
        foreach (var container in ours)
        {
            await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
        }
    }
}
