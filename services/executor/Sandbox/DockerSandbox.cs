using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Berth.Contracts;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Session containers on the local Docker engine: one per session, created on its first call
/// and kept for the chain, with commands run by <c>docker exec</c> under <c>sh -c</c>.
/// </summary>
public sealed partial class DockerSandbox(DockerClient docker, IOptions<ExecutorOptions> options, ILogger<DockerSandbox> logger)
{
    public const string WorkingDirectory = "/mnt/data";
    public const string SessionLabel = "berth.session";
    public const string ExecutorLabel = "berth.executor";
    public const string ManagedLabel = "berth.managed";

    // Grace beyond a command's own timeout before the executor stops waiting on Docker itself.
    private static readonly TimeSpan ReadGrace = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<Guid, string> _containers = new();
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _creating = new();

    /// <summary>The session's container, created and started if this executor has none for it yet.</summary>
    public async Task<string> EnsureContainerAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        if (_containers.TryGetValue(sessionId, out var known))
        {
            return known;
        }

        var gate = _creating.GetOrAdd(sessionId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (_containers.TryGetValue(sessionId, out known))
            {
                return known;
            }

            var id = await FindContainerAsync(sessionId, cancellationToken) ?? await CreateContainerAsync(sessionId, cancellationToken);
            _containers[sessionId] = id;
            return id;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Runs one command; a non-zero exit or a timeout is a result, not an exception.</summary>
    public async Task<CommandOutput> RunAsync(string containerId, string command, int timeoutMs, int maxOutputLength, CancellationToken cancellationToken)
    {
        // coreutils' timeout puts the command in its own process group and signals the whole
        // group: TERM at the limit, KILL two seconds later, so background children die too.
        var seconds = (timeoutMs / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
        var exec = await docker.Exec.CreateContainerExecAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = ["timeout", "-k", "2", seconds, "sh", "-c", command],
            WorkingDir = WorkingDirectory,
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken);

        var stdout = new OutputCapture(maxOutputLength);
        var stderr = new OutputCapture(maxOutputLength);
        var clock = Stopwatch.StartNew();

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMilliseconds(timeoutMs) + ReadGrace);
        try
        {
            using var stream = await docker.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), deadline.Token);
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, deadline.Token);
                if (read.EOF)
                {
                    break;
                }

                (read.Target == MultiplexedStream.TargetStream.StandardError ? stderr : stdout).Append(buffer.AsSpan(0, read.Count));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogStuckExec(containerId, exec.ID);
            return new CommandOutput { Stdout = stdout.ToString(), Stderr = stderr.ToString(), TimedOut = true };
        }

        var exitCode = await WaitForExitCodeAsync(exec.ID, cancellationToken);

        // timeout exits 124 after TERM, 137 after KILL; a command that exits so by itself, early, has not timed out.
        var timedOut = exitCode is 124 or 137 && clock.ElapsedMilliseconds >= timeoutMs;
        return new CommandOutput
        {
            Stdout = stdout.ToString(),
            Stderr = stderr.ToString(),
            ExitCode = timedOut ? null : exitCode,
            TimedOut = timedOut,
        };
    }

    private async Task<int?> WaitForExitCodeAsync(string execId, CancellationToken cancellationToken)
    {
        // The stream can end a moment before Docker records the exit code.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var inspect = await docker.Exec.InspectContainerExecAsync(execId, cancellationToken);
            if (!inspect.Running)
            {
                return inspect.ExitCode is { } code ? (int)code : null;
            }

            await Task.Delay(20, cancellationToken);
        }

        return null;
    }

    private async Task<string?> FindContainerAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var found = await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{SessionLabel}={sessionId}"] = true },
            },
        }, cancellationToken);

        var container = found.FirstOrDefault();
        if (container is null)
        {
            return null;
        }

        if (container.State != "running")
        {
            await docker.Containers.StartContainerAsync(container.ID, new ContainerStartParameters(), cancellationToken);
        }

        return container.ID;
    }

    private async Task<string> CreateContainerAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var memory = settings.MemoryMb * 1024L * 1024L;
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = $"berth-{sessionId:N}",
            Image = settings.Image,
            Cmd = ["sleep", "infinity"],
            WorkingDir = WorkingDirectory,
            Labels = new Dictionary<string, string>
            {
                [ManagedLabel] = "true",
                [SessionLabel] = sessionId.ToString(),
                [ExecutorLabel] = settings.InstanceId,
            },
            NetworkDisabled = true,
            HostConfig = new HostConfig
            {
                NetworkMode = "none",
                CapDrop = ["ALL"],
                SecurityOpt = ["no-new-privileges"],
                Memory = memory,
                MemorySwap = memory,
                NanoCPUs = (long)(settings.Cpus * 1_000_000_000),
                PidsLimit = settings.PidsLimit,
                // An init as PID 1 reaps the orphans of finished commands, which would otherwise
                // pile up as zombies against the PID limit.
                Init = true,
            },
        }, cancellationToken);

        await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken);
        LogCreated(sessionId, created.ID[..12], settings.Image);
        return created.ID;
    }

    /// <summary>Forgets a container Docker no longer has, so the session's next call says so once rather than forever.</summary>
    public void Forget(Guid sessionId) => _containers.TryRemove(sessionId, out _);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: created container {ContainerId} from {Image}")]
    private partial void LogCreated(Guid sessionId, string containerId, string image);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Container {ContainerId}: exec {ExecId} outlived its timeout and grace; reported as timed out")]
    private partial void LogStuckExec(string containerId, string execId);
}
