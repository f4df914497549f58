using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Berth.Contracts;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Executor.Sandbox;

/// <summary>
/// The persistent shell (<c>Executor:CommandMode=Shell</c>, the default): one long-lived
/// <c>bash</c> per container, attached over a single <c>docker exec</c>, that takes commands on
/// its stdin and marks the end of each one's output (see <see cref="EndMarker"/>). A command then
/// costs a few lines written and read back, and one fork, instead of creating, starting and
/// inspecting an exec. Each command still runs in a process group of its own, ended whole at its
/// timeout (TERM, then KILL two seconds later) or on a cancel, with its pid where a cancel finds
/// it; a shell that dies (<c>kill -9 -1</c> takes it too) is replaced on the next command. The
/// shell's program is <c>session-shell.sh</c>, why it is as it is in its comments.
/// </summary>
internal sealed partial class ShellCommandRunner(DockerExec exec, TimeProvider time, ILogger<ShellCommandRunner> logger) : ICommandRunner
{
    /// <summary>
    /// The driver as <c>bash -c</c> runs it: <c>session-shell.sh</c> without its comment lines,
    /// which would only lengthen the command line every <c>ps</c> in the sandbox shows.
    /// </summary>
    public static string Driver { get; } = LoadDriver();

    private static string LoadDriver()
    {
        using var resource = typeof(ShellCommandRunner).Assembly.GetManifestResourceStream("Berth.Executor.Sandbox.session-shell.sh")
            ?? throw new InvalidOperationException("session-shell.sh is not embedded in the executor.");
        using var reader = new StreamReader(resource, Encoding.UTF8);
        return string.Join('\n', reader.ReadToEnd().Split('\n').Where(line => line.Length > 0 && !line.TrimStart().StartsWith('#')));
    }

    private static readonly TimeSpan KillRetry = TimeSpan.FromMilliseconds(200);

    // Between TERM and KILL, as coreutils' timeout allows in exec mode.
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, SessionShell> _shells = new(StringComparer.Ordinal);

    private sealed class SessionShell : IDisposable
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public MultiplexedStream? Stream { get; set; }

        public byte[] Buffer { get; } = new byte[16 * 1024];

        public void Drop()
        {
            Stream?.Dispose();
            Stream = null;
        }

        public void Dispose()
        {
            Drop();
            Gate.Dispose();
        }
    }

    public async Task<CommandOutput> RunAsync(string containerId, string command, int timeoutMs, int maxOutputLength, OutputChunks? chunks,
        CancellationToken cancellationToken, CancellationToken callCancelled)
    {
        var shell = _shells.GetOrAdd(containerId, _ => new SessionShell());
        await shell.Gate.WaitAsync(cancellationToken);
        try
        {
            shell.Stream ??= await StartShellAsync(containerId, cancellationToken);
            var nonce = RandomNumberGenerator.GetHexString(16, lowercase: true);
            var seconds = (timeoutMs / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
            var line = Encoding.UTF8.GetBytes(Frame(nonce, seconds, command));
            var started = time.GetTimestamp();
            try
            {
                await shell.Stream.WriteAsync(line, 0, line.Length, cancellationToken);
            }
            catch (IOException)
            {
                // The shell went away since its last command; a new one takes this command.
                shell.Drop();
                shell.Stream = await StartShellAsync(containerId, cancellationToken);
                await shell.Stream.WriteAsync(line, 0, line.Length, cancellationToken);
            }

            var stdout = new OutputCapture(maxOutputLength);
            var stderr = new OutputCapture(maxOutputLength);
            var outEnd = new EndMarker(nonce);
            var errEnd = new EndMarker(nonce);

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromMilliseconds(timeoutMs) + CommandResult.ReadGrace);
            // On a cancel, the command's group is signalled from outside until it has ended.
            using var finished = new CancellationTokenSource();
            Task? killing = null;
            using (callCancelled.Register(() => killing = KillUntilFinishedAsync(containerId, finished.Token)))
            {
                try
                {
                    while (!(outEnd.Seen && errEnd.Seen))
                    {
                        MultiplexedStream.ReadResult read = default;
                        var ended = false;
                        try
                        {
                            read = await shell.Stream.ReadOutputAsync(shell.Buffer, 0, shell.Buffer.Length, deadline.Token);
                            ended = read.EOF;
                        }
                        catch (IOException) when (!deadline.IsCancellationRequested)
                        {
                            ended = true;
                        }

                        if (ended)
                        {
                            // The shell itself died mid-command, most likely killed by it.
                            shell.Drop();
                            LogShellDied(containerId);
                            stderr.Append("\n[berth: the session's shell was killed while this command ran; the next command gets a new one]\n"u8);
                            return CommandResult.From(stdout, stderr, exitCode: null);
                        }

                        var isStderr = read.Target == MultiplexedStream.TargetStream.StandardError;
                        var capture = isStderr ? stderr : stdout;
                        (isStderr ? errEnd : outEnd).Feed(shell.Buffer.AsSpan(0, read.Count), data =>
                        {
                            capture.Append(data);
                            chunks?.Write(isStderr, data);
                        });
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException
                    && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    // Neither the command's own timeout nor a kill ended it: give up on this shell.
                    shell.Drop();
                    LogStuck(containerId);
                    return CommandResult.From(stdout, stderr, exitCode: null, timedOut: true);
                }
                finally
                {
                    await finished.CancelAsync();
                    if (killing is not null)
                    {
                        await killing;
                    }
                }
            }

            if (callCancelled.IsCancellationRequested)
            {
                return CommandResult.From(stdout, stderr, exitCode: null);
            }

            // Ended by the timer at its limit: by TERM (143), or by KILL (137) if it ignored that.
            return CommandResult.From(stdout, stderr, outEnd.ExitCode, timedOut: outEnd.ExitCode is 143 or 137 && time.GetElapsedTime(started).TotalMilliseconds >= timeoutMs);
        }
        finally
        {
            shell.Gate.Release();
        }
    }

    /// <summary>
    /// Starts a warm container's shell ahead of its session, and waits for it to answer: a new
    /// container takes about a tenth of a second to run its first command, which the session's
    /// first command then does not wait for.
    /// </summary>
    public Task PrepareAsync(string containerId, CancellationToken cancellationToken) =>
        RunAsync(containerId, "true", 30_000, 64, null, cancellationToken, CancellationToken.None);

    private async Task<MultiplexedStream> StartShellAsync(string containerId, CancellationToken cancellationToken)
    {
        var created = await exec.CreateAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = ["bash", "-c", Driver],
            WorkingDir = DockerSandbox.WorkingDirectory,
            AttachStdin = true,
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken);
        return await exec.StartAsync(containerId, created.ID, cancellationToken);
    }

    /// <summary>
    /// Signals the running command until it has ended. A cancel can land before the shell has
    /// written the new command's pid: the file is then empty or names the old one, so it is tried again.
    /// </summary>
    private async Task KillUntilFinishedAsync(string containerId, CancellationToken finished)
    {
        var since = time.GetTimestamp();
        try
        {
            while (!finished.IsCancellationRequested)
            {
                try
                {
                    await KillGroupAsync(containerId, time.GetElapsedTime(since) < KillGrace ? "TERM" : "KILL", finished);
                }
                catch (DockerApiException e)
                {
                    // Most likely no process can start in the container now; the command's own
                    // timer still ends it at its limit. Keep trying until then.
                    LogKillFailed(containerId, e.Message);
                }

                await Task.Delay(KillRetry, time, finished);
            }
        }
        catch (OperationCanceledException) when (finished.IsCancellationRequested)
        {
            // The command has ended.
        }
    }

    /// <summary>Signals the running command's whole process group (in the shell, the pid it leaves is its group's; dash's kill takes no "--").</summary>
    private Task KillGroupAsync(string containerId, string signal, CancellationToken cancellationToken) =>
        exec.SignalRunningAsync(containerId, $"-{signal} -\"$p\"", cancellationToken);

    /// <summary>The shell itself ends what earlier commands left running (<c>end_left_running</c>), which needs no new process in the container.</summary>
    public async Task<int?> EndLeftRunningAsync(string containerId, CancellationToken cancellationToken)
    {
        var shell = _shells.GetOrAdd(containerId, _ => new SessionShell());
        if (!await shell.Gate.WaitAsync(TimeSpan.Zero, cancellationToken))
        {
            return null;
        }

        try
        {
            shell.Stream ??= await StartShellAsync(containerId, cancellationToken);
            var nonce = RandomNumberGenerator.GetHexString(16, lowercase: true);
            var header = Encoding.UTF8.GetBytes($"{nonce} - 0\n");
            var outEnd = new EndMarker(nonce);
            var errEnd = new EndMarker(nonce);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(CommandResult.ReadGrace);
            try
            {
                await shell.Stream.WriteAsync(header, 0, header.Length, deadline.Token);
                while (!(outEnd.Seen && errEnd.Seen))
                {
                    var read = await shell.Stream.ReadOutputAsync(shell.Buffer, 0, shell.Buffer.Length, deadline.Token);
                    if (read.EOF)
                    {
                        throw new IOException("The session's shell ended.");
                    }

                    var end = read.Target == MultiplexedStream.TargetStream.StandardError ? errEnd : outEnd;
                    end.Feed(shell.Buffer.AsSpan(0, read.Count), static _ => { });
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
            {
                // The next command gets a new shell, which ends what the old one left running.
                shell.Drop();
                throw new IOException($"The session's shell did not end what was left running: {e.Message}", e);
            }

            return outEnd.ExitCode;
        }
        finally
        {
            shell.Gate.Release();
        }
    }

    public void Forget(string containerId)
    {
        if (_shells.TryRemove(containerId, out var shell))
        {
            shell.Drop();
        }
    }

    /// <summary>One command as the shell reads it: a header line, then the command's lines. NUL cannot be in a shell command, and is left out.</summary>
    public static string Frame(string nonce, string seconds, string command)
    {
        var lines = command.Replace("\0", "", StringComparison.Ordinal).Split('\n');
        return $"{nonce} {seconds} {lines.Length.ToString(CultureInfo.InvariantCulture)}\n{string.Join('\n', lines)}\n";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Container {ContainerId}: the session shell outlived a command's timeout and grace; reported as timed out, and the next command gets a new shell")]
    private partial void LogStuck(string containerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Container {ContainerId}: the session shell died during a command; the next command starts a new one")]
    private partial void LogShellDied(string containerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Container {ContainerId}: killing a cancelled command failed: {Reason}")]
    private partial void LogKillFailed(string containerId, string reason);
}
