using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Berth.Contracts;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Executor.Sandbox;

/// <summary>
/// The persistent shell: one long-lived <c>bash</c> per container, attached over a single
/// <c>docker exec</c>, that takes commands on its stdin and marks the end of each one's output
/// (see <see cref="EndMarker"/>). A command then costs a few lines written and read back, and
/// one fork, instead of creating, starting and inspecting an exec. Each command still runs in
/// a process group of its own, ended whole at its timeout (TERM, then KILL two seconds later)
/// or on a cancel, with its pid where a cancel finds it; a shell that dies (<c>kill -9 -1</c>
/// takes it too) is replaced on the next command.
/// </summary>
public sealed partial class DockerSandbox
{
    // bash, for its job control: with `set -m` every command runs as a process group of its own,
    // which a timeout or a cancel ends whole. Reads a header (nonce, timeout in seconds, number
    // of lines), then the command's lines; runs the command with stdin closed and its stderr on
    // fd 3 (the exec's stderr: bash's own job notices go to /dev/null); leaves its pid, which is
    // its group's, in the pid file; then marks the end of its output. The command's subshell
    // forgets the driver's variables first: with the nonce, a command could print the end marker
    // itself, ending its output early with an exit code of its choosing.
    //
    // The timer is one long-lived process per shell, told each command's group and limit through
    // fd 4 (one line, no process started per command). If the command is still running at its
    // limit, the timer sends its group TERM, and KILL to whatever is left of the group two
    // seconds later, or as soon as the next command comes: a command that ran out of time leaves
    // nothing behind (bash retries a failed fork for seconds, so a fork bomb's survivors would
    // otherwise hold the PID limit long after). What a command that finished in time left in the
    // background lives on, as under coreutils' timeout. The timer uses bash's built-in kill, which
    // needs no new process: so it still works when a fork bomb has taken every process the
    // container may have, which a kill from outside (a docker exec) cannot. A shell started after
    // another went away first ends any command the old one left running.
    //
    // Job control is on only while the command is started, which puts it in a group of its own,
    // and off while the driver waits for it: with it on, a plain `wait` returns as soon as the
    // command's group is stopped (`kill -STOP $BASHPID` in the command, say), and the end would
    // be marked while the command can still be continued and print, into the next command's
    // output; with it off, bash does not ask to hear of stops, so `wait` returns only when the
    // command has ended. `wait -f` is not used: in bash 5.2, `wait -f PID` reads the job's record
    // after the wait may have freed it, and now and then spins forever at full CPU ("wait_for: No
    // record of process"), which left a session's command hanging until its executor stopped.
    // A stop that lands in the instant before job control goes off is still seen; the driver then
    // waits again, a twentieth of a second apart (a read that times out on a pipe nothing writes
    // to, fd 5: no process), while the command's process exists. A command that stays stopped is
    // ended by the timer at its limit.
    //
    // A header whose limit is "-" is no command: the driver itself ends what earlier commands
    // left running, and marks the end with how many processes it ended. end_left_running stops
    // every process in the container but PID 1, the driver ($$) and its timer, all of them first
    // so that a fork bomb cannot replace what is killed, then kills them; again until none is
    // left, for at most eight rounds (a killed process may take a moment to go, and is not
    // signalled or counted twice). It uses only bash built-ins, as the timer does: it needs no
    // new process, so it works when what was left running holds the whole PID limit. Processes
    // of another user (a file operation's root exec) refuse the signal and are left alone.
    /// <summary>The session shell's script, as <c>bash -c</c> runs it (see the comment above).</summary>
    public const string ShellDriver = """
        exec 3>&2 2>/dev/null
        if read -r stale < /tmp/.berth-running && [ -n "$stale" ]; then kill -KILL -- "-$stale"; fi
        : > /tmp/.berth-running
        exec 4> >(
          while read -r pid secs; do
            while :; do
              read -r -t "$secs" next nsecs; st=$?
              if ((st == 0)); then pid=$next; secs=$nsecs; continue; fi
              if ((st <= 128)); then exit; fi
              if kill -0 "$pid"; then
                kill -TERM -- "-$pid"
                read -r -t 2 next nsecs; st=$?
                kill -KILL -- "-$pid"
                if ((st == 0)); then pid=$next; secs=$nsecs; continue; fi
                if ((st <= 128)); then exit; fi
              fi
              break
            done
          done)
        timer=$!
        end_left_running() {
          code=0 killed=' '
          for ((round = 0; round < 8; round++)); do
            left=()
            for p in /proc/[1-9]*; do
              p=${p#/proc/}
              if ((p == 1 || p == $$ || p == timer)) || [[ $killed == *" $p "* ]]; then continue; fi
              read -r stat < "/proc/$p/stat" || continue
              if [[ ${stat##*) } == Z* ]]; then continue; fi
              if kill -STOP "$p"; then left+=("$p"); fi
            done
            if ((${#left[@]} == 0)); then break; fi
            kill -KILL "${left[@]}"
            killed+="${left[*]} "
            ((code += ${#left[@]}))
          done
        }
        exec 5<> <(:)
        rs=$'\036'
        while IFS=' ' read -r nonce secs count; do
          if [[ $secs == - ]]; then
            end_left_running
            printf '%sBERTH:%s:%s%s' "$rs" "$nonce" "$code" "$rs"
            printf '%sBERTH:%s:%s%s' "$rs" "$nonce" "$code" "$rs" >&3
            continue
          fi
          cmd=''
          for ((i = 0; i < count; i++)); do
            IFS= read -r part
            if ((i)); then cmd+=$'\n'; fi
            cmd+=$part
          done
          set -m
          ( exec 3>&- 4>&- 5>&-; unset -v nonce secs count part i pid code stale rs timer round left p stat killed; unset -f end_left_running; eval "$cmd" ) </dev/null 2>&3 &
          pid=$!
          set +m
          echo "$pid" > /tmp/.berth-running
          echo "$pid $secs" >&4
          wait "$pid"
          while kill -0 "$pid"; do read -r -t 0.05 -u 5; wait "$pid"; done
          wait "$pid"
          code=$?
          : > /tmp/.berth-running
          printf '%sBERTH:%s:%s%s' "$rs" "$nonce" "$code" "$rs"
          printf '%sBERTH:%s:%s%s' "$rs" "$nonce" "$code" "$rs" >&3
        done
        """;

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

    private async Task<CommandOutput> RunInShellAsync(string containerId, string command, int timeoutMs, int maxOutputLength, OutputChunks? chunks,
        CancellationToken cancellationToken, CancellationToken stop)
    {
        var shell = _shells.GetOrAdd(containerId, _ => new SessionShell());
        await shell.Gate.WaitAsync(cancellationToken);
        try
        {
            shell.Stream ??= await StartShellAsync(containerId, cancellationToken);
            var nonce = RandomNumberGenerator.GetHexString(16, lowercase: true);
            var seconds = (timeoutMs / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
            var line = Encoding.UTF8.GetBytes(Frame(nonce, seconds, command));
            var clock = System.Diagnostics.Stopwatch.StartNew();
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
            deadline.CancelAfter(TimeSpan.FromMilliseconds(timeoutMs) + ReadGrace);
            // On a cancel, the command's group is signalled from outside until it has ended.
            using var finished = new CancellationTokenSource();
            Task? killing = null;
            using (stop.Register(() => killing = KillUntilFinishedAsync(containerId, finished.Token)))
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
                            return Result(stdout, stderr, exitCode: null);
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
                    LogStuckExec(containerId, "session shell");
                    return Result(stdout, stderr, exitCode: null, timedOut: true);
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

            if (stop.IsCancellationRequested)
            {
                return Result(stdout, stderr, exitCode: null);
            }

            // Ended by the timer at its limit: by TERM (143), or by KILL (137) if it ignored that.
            return Result(stdout, stderr, outEnd.ExitCode, timedOut: outEnd.ExitCode is 143 or 137 && clock.ElapsedMilliseconds >= timeoutMs);
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
    private async Task PrepareShellAsync(string containerId, CancellationToken cancellationToken)
    {
        if (options.Value.CommandMode == CommandMode.Shell)
        {
            await RunInShellAsync(containerId, "true", 30_000, 64, null, cancellationToken, CancellationToken.None);
        }
    }

    private async Task<MultiplexedStream> StartShellAsync(string containerId, CancellationToken cancellationToken)
    {
        var exec = await CreateExecAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = ["bash", "-c", ShellDriver],
            WorkingDir = WorkingDirectory,
            AttachStdin = true,
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken);
        return await StartExecAsync(containerId, exec.ID, cancellationToken);
    }

    /// <summary>
    /// Signals the running command until it has ended. A cancel can land before the shell has
    /// written the new command's pid: the file is then empty or names the old one, so it is tried again.
    /// </summary>
    private async Task KillUntilFinishedAsync(string containerId, CancellationToken finished)
    {
        var since = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            while (!finished.IsCancellationRequested)
            {
                try
                {
                    await KillGroupAsync(containerId, since.Elapsed < KillGrace ? "TERM" : "KILL", finished);
                }
                catch (DockerApiException e)
                {
                    // Most likely no process can start in the container now; the command's own
                    // timer still ends it at its limit. Keep trying until then.
                    LogKillFailed(containerId, e.Message);
                }

                await Task.Delay(KillRetry, finished);
            }
        }
        catch (OperationCanceledException) when (finished.IsCancellationRequested)
        {
            // The command has ended.
        }
    }

    /// <summary>Signals the running command's whole process group (in the shell, the pid it leaves is its group's; dash's kill takes no "--").</summary>
    private Task KillGroupAsync(string containerId, string signal, CancellationToken cancellationToken) =>
        SignalRunningAsync(containerId, $"-{signal} -\"$p\"", cancellationToken);

    /// <summary>
    /// Ends every process the session's earlier commands left running, if no command runs now;
    /// how many it ended (<see cref="UnknownCount"/> if it cannot tell), or null if a command was
    /// running, since what runs then is not left over.
    /// In the persistent shell, the shell itself does it (see <c>end_left_running</c>), which
    /// needs no new process in the container; with an exec per command, nothing of Berth's lives
    /// in the container between commands, and one exec kills every process of the sandbox user.
    /// </summary>
    public async Task<int?> EndLeftRunningAsync(string containerId, CancellationToken cancellationToken)
    {
        if (options.Value.CommandMode != CommandMode.Shell)
        {
            return await EndLeftRunningByExecAsync(containerId, cancellationToken);
        }

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
            deadline.CancelAfter(ReadGrace);
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

    /// <summary>What <see cref="EndLeftRunningAsync"/> answers when it ended processes but cannot say how many.</summary>
    public const int UnknownCount = -1;

    private async Task<int?> EndLeftRunningByExecAsync(string containerId, CancellationToken cancellationToken)
    {
        var exec = await CreateExecAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = ["sh", "-c", "kill -KILL -1; exit 0"],
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken);
        using (var stream = await StartExecAsync(containerId, exec.ID, cancellationToken))
        {
            await stream.ReadOutputToEndAsync(cancellationToken);
        }

        // kill(-1) does not say how many it reached.
        return await docker.Exec.WaitForExitCodeAsync(exec.ID, cancellationToken) == 0 ? UnknownCount : null;
    }

    private void DropShell(string containerId)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Container {ContainerId}: the session shell died during a command; the next command starts a new one")]
    private partial void LogShellDied(string containerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Container {ContainerId}: killing a cancelled command failed: {Reason}")]
    private partial void LogKillFailed(string containerId, string reason);
}
