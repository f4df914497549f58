using System.Globalization;
using Berth.Contracts;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Executor.Sandbox;

/// <summary>
/// <c>Executor:CommandMode=Exec</c>: each command in a <c>docker exec</c> of its own, under
/// coreutils' <c>timeout</c>, which puts it in its own process group and signals the whole
/// group: TERM at the limit, KILL two seconds later, so background children die too. Nothing of
/// Berth's lives in the container between commands.
/// </summary>
internal sealed partial class ExecCommandRunner(DockerExec exec, TimeProvider time, ILogger<ExecCommandRunner> logger) : ICommandRunner
{
    // A cancel can land while the exec is still starting: this long without it ever running, it never will.
    private static readonly TimeSpan NeverStarted = TimeSpan.FromSeconds(2);

    private DockerClient Docker => exec.Docker;

    public async Task<CommandOutput> RunAsync(string containerId, string command, int timeoutMs, int maxOutputLength, OutputChunks? chunks,
        CancellationToken cancellationToken, CancellationToken callCancelled)
    {
        // The timeout's pid (its group's id) is left where a cancel can find it.
        var seconds = (timeoutMs / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
        var created = await exec.CreateAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = ["sh", "-c", $"echo $$ > {DockerExec.RunningPidFile} 2>/dev/null; exec timeout -k 2 {seconds} sh -c \"$1\"", "sh", command],
            WorkingDir = DockerSandbox.WorkingDirectory,
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken);

        var stdout = new OutputCapture(maxOutputLength);
        var stderr = new OutputCapture(maxOutputLength);
        var started = time.GetTimestamp();

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callCancelled);
        deadline.CancelAfter(TimeSpan.FromMilliseconds(timeoutMs) + CommandResult.ReadGrace);
        try
        {
            using var stream = await exec.StartAsync(containerId, created.ID, deadline.Token);
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, deadline.Token);
                if (read.EOF)
                {
                    break;
                }

                var isStderr = read.Target == MultiplexedStream.TargetStream.StandardError;
                (isStderr ? stderr : stdout).Append(buffer.AsSpan(0, read.Count));
                chunks?.Write(isStderr, buffer.AsSpan(0, read.Count));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException
            && callCancelled.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // However the read gave up (a cancelled read may surface as an I/O error), the command is killed.
            await StopExecAsync(containerId, created.ID, cancellationToken);
            return CommandResult.From(stdout, stderr, exitCode: null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogStuckExec(containerId, created.ID);
            return CommandResult.From(stdout, stderr, exitCode: null, timedOut: true);
        }

        var exitCode = await Docker.Exec.WaitForExitCodeAsync(created.ID, cancellationToken);

        // timeout exits 124 after TERM, 137 after KILL; a command that exits so by itself, early, has not timed out.
        return CommandResult.From(stdout, stderr, exitCode, timedOut: exitCode is 124 or 137 && time.GetElapsedTime(started).TotalMilliseconds >= timeoutMs);
    }

    /// <summary>Nothing to ready: each command makes its own exec.</summary>
    public Task PrepareAsync(string containerId, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>One exec kills every process of the sandbox user; <c>kill(-1)</c> does not say how many it reached.</summary>
    public async Task<int?> EndLeftRunningAsync(string containerId, CancellationToken cancellationToken)
    {
        var created = await exec.CreateAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = ["sh", "-c", "kill -KILL -1; exit 0"],
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken);
        using (var stream = await exec.StartAsync(containerId, created.ID, cancellationToken))
        {
            await stream.ReadOutputToEndAsync(cancellationToken);
        }

        return await Docker.Exec.WaitForExitCodeAsync(created.ID, cancellationToken) == 0 ? CommandResult.UnknownCount : null;
    }

    public void Forget(string containerId)
    {
    }

    /// <summary>
    /// Kills an exec's command until Docker says it has ended: the signal goes to its
    /// <c>timeout</c> through the pid the command wrote when it started, which a cancel can beat
    /// by a few milliseconds, so it is tried again. The container itself stays.
    /// </summary>
    private async Task StopExecAsync(string containerId, string execId, CancellationToken cancellationToken)
    {
        // A cancel can land while the exec is still starting: it is not yet running, and has no
        // exit code. So "not running" alone proves nothing; only an exit code, or a long enough
        // wait without the exec ever running, ends the watch.
        DateTimeOffset? quietSince = null;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var inspect = await Docker.Exec.InspectContainerExecAsync(execId, cancellationToken);
            if (inspect.Running)
            {
                quietSince = null;
                await exec.SignalRunningAsync(containerId, "-TERM \"$p\"", cancellationToken);
            }
            else if (inspect.ExitCode is not null && inspect.Pid != 0)
            {
                return;
            }
            else if ((quietSince ??= time.GetUtcNow()) < time.GetUtcNow() - NeverStarted)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Container {ContainerId}: exec {ExecId} outlived its timeout and grace; reported as timed out")]
    private partial void LogStuckExec(string containerId, string execId);
}
