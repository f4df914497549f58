using Berth.Contracts;
using Berth.Executor;
using Berth.Executor.Sandbox;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.Executor;

/// <summary>
/// The two ways an executor runs commands, on the real Docker engine: the persistent session
/// shell (the default) and one <c>docker exec</c> per command (the fallback). Both must give the
/// same results for the same commands.
/// </summary>
public sealed class CommandModeTests(DockerFixture docker) : SandboxTestBase(docker, "modes"), IClassFixture<DockerFixture>
{
    private async Task<(DockerSandbox Sandbox, string Container)> SessionAsync(CommandMode mode)
    {
        var sandbox = DockerSandbox.Create(Docker.Client, new ExecutorOptions
        {
            InstanceId = ExecutorId,
            Image = DockerFixture.SandboxImage,
            WarmContainers = 0,
            CommandMode = mode,
        });
        return (sandbox, await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, CancellationToken.None));
    }

    [Theory]
    [InlineData(nameof(CommandMode.Shell))]
    [InlineData(nameof(CommandMode.Exec))]
    public async Task Should_keep_stdout_stderr_and_the_exit_code_apart_for_any_command_text(string mode)
    {
        var (sandbox, container) = await SessionAsync(Enum.Parse<CommandMode>(mode));

        var output = await sandbox.RunAsync(container, "echo out; echo err >&2; exit 3", 5_000, 1_000, CancellationToken.None);
        Assert.Equal(("out\n", "err\n", 3, false), (output.Stdout, output.Stderr, output.ExitCode, output.TimedOut));

        // Quotes, backslashes, tabs, newlines, a here-document and non-ASCII text arrive intact.
        var tricky = "printf '%s|%s\\n' \"a\\\\b\" 'c\td'\ncat <<'EOF'\nline with $HOME and \\n and ünïcödé\nEOF\nprintf 'no newline at the end'";
        var echoed = await sandbox.RunAsync(container, tricky, 5_000, 1_000, CancellationToken.None);
        Assert.Equal("a\\b|c\td\nline with $HOME and \\n and ünïcödé\nno newline at the end", echoed.Stdout);
        Assert.Equal(0, echoed.ExitCode);

        // Every command starts in the workspace, whatever the one before did.
        await sandbox.RunAsync(container, "cd /tmp && echo moved", 5_000, 1_000, CancellationToken.None);
        Assert.Equal("/mnt/data\n", (await sandbox.RunAsync(container, "pwd", 5_000, 1_000, CancellationToken.None)).Stdout);
    }

    [Theory]
    [InlineData(nameof(CommandMode.Shell))]
    [InlineData(nameof(CommandMode.Exec))]
    public async Task Should_time_out_one_command_and_run_the_next_when_a_command_outlives_its_limit(string mode)
    {
        var (sandbox, container) = await SessionAsync(Enum.Parse<CommandMode>(mode));

        // A limit of a few seconds: at 1 s, a CI machine busy with other tests once ended the
        // command before it had printed anything.
        var slow = await sandbox.RunAsync(container, "echo started; sleep 30", 3_000, 1_000, CancellationToken.None);
        Assert.True(slow.TimedOut);
        Assert.Null(slow.ExitCode);
        Assert.Equal("started\n", slow.Stdout);

        // What a finished command left in the background outlives the command's limit, as it
        // does under coreutils' timeout; only a command still running at its limit is ended.
        var started = await sandbox.RunAsync(container, "sleep 60 >/dev/null 2>&1 & echo left", 1_000, 1_000, CancellationToken.None);
        Assert.Equal(("left\n", 0), (started.Stdout, started.ExitCode));
        await Task.Delay(3_500);
        var alive = await sandbox.RunAsync(container, "ps -eo args | grep -c '^sleep 60$' || true", 5_000, 1_000, CancellationToken.None);
        Assert.Equal("1\n", alive.Stdout);
    }

    [Theory]
    [InlineData(nameof(CommandMode.Shell))]
    [InlineData(nameof(CommandMode.Exec))]
    public async Task Should_time_out_a_command_that_stops_itself_and_keep_its_output_out_of_the_next(string mode)
    {
        var (sandbox, container) = await SessionAsync(Enum.Parse<CommandMode>(mode));

        var stopped = await sandbox.RunAsync(container, "echo before; kill -STOP $BASHPID 2>/dev/null || kill -STOP $$; echo after", 3_000, 1_000, CancellationToken.None);
        var next = await sandbox.RunAsync(container, "echo next", 5_000, 1_000, CancellationToken.None);

        Assert.True(stopped.TimedOut, $"the stopped command ended with exit {stopped.ExitCode}, output '{stopped.Stdout}'");
        Assert.Equal("before\n", stopped.Stdout);
        Assert.Equal("next\n", next.Stdout);
    }

    [Fact]
    public async Task Should_mark_the_end_of_the_command_when_each_of_two_thousand_new_session_shells_runs_one()
    {
        // The driver once waited with `wait -f PID`, which in bash 5.2 reads the job's record
        // after freeing it: glibc's per-process heap key, written over the freed record, then
        // says "stopped" in about one new shell in 256, and the wait spins forever. 2000 shells
        // would all have passed that driver about once in 2500 runs. The pid file is emptied
        // before each, as each new driver ends the command a stale pid file names (this one's).
        // Run as the executor runs it, with `bash -c`: read from a file, bash's heap differs and
        // the old driver did not spin.
        var (sandbox, container) = await SessionAsync(CommandMode.Shell);
        var command = $"cat > /tmp/driver.sh <<'BERTH_DRIVER'\n{ShellCommandRunner.Driver}\nBERTH_DRIVER\n"
            + "driver=$(cat /tmp/driver.sh); hung=0; for i in $(seq 2000); do : > /tmp/.berth-running; printf 'n 5 1\\nsleep 0.001\\n' | timeout 2 bash -c \"$driver\" > /dev/null 2>&1; "
            + "if [ $? -eq 124 ]; then hung=$((hung + 1)); fi; done; echo \"hung $hung\"";

        var output = await sandbox.RunAsync(container, command, 300_000, 1_000, CancellationToken.None);

        Assert.Equal(("hung 0\n", 0), (output.Stdout, output.ExitCode));
    }

    [Theory]
    [InlineData(nameof(CommandMode.Shell))]
    [InlineData(nameof(CommandMode.Exec))]
    public async Task Should_kill_the_command_and_keep_the_session_when_the_call_is_cancelled(string mode)
    {
        var (sandbox, container) = await SessionAsync(Enum.Parse<CommandMode>(mode));

        // Cancelled once the command has printed, as a user cancels what they saw start: a
        // fixed delay would race a Docker engine slowed by other tests, where an exec can take
        // longer than the delay to start. The bound only keeps a broken run from hanging.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var call = new ToolCallRequested { SessionId = Guid.NewGuid(), ResponseId = "resp_cancel", CallId = "call_cancel", Commands = ["echo working; sleep 45"] };
        await using var chunks = new OutputChunks(call, 1_000, TimeSpan.FromMilliseconds(50), async _ => await stop.CancelAsync());

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var cancelled = await sandbox.RunAsync(container, "echo working; sleep 45", 60_000, 1_000, chunks, CancellationToken.None, stop.Token);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the cancelled command took {clock.Elapsed}");
        Assert.Null(cancelled.ExitCode);
        Assert.Equal("working\n", cancelled.Stdout);
        var left = await sandbox.RunAsync(container, "ps -eo args | grep -c '^sleep 45$' || true", 5_000, 1_000, CancellationToken.None);
        Assert.Equal("0\n", left.Stdout);
    }

    [Fact]
    public async Task Should_start_a_new_shell_when_a_command_kills_the_one_it_ran_in()
    {
        var (sandbox, container) = await SessionAsync(CommandMode.Shell);
        await sandbox.RunAsync(container, "echo kept > kept.txt", 5_000, 1_000, CancellationToken.None);

        var killer = await sandbox.RunAsync(container, "kill -9 -1", 5_000, 1_000, CancellationToken.None);
        Assert.Contains("shell was killed", killer.Stderr, StringComparison.Ordinal);
        Assert.Null(killer.ExitCode);

        Assert.Equal("kept\n", (await sandbox.RunAsync(container, "cat kept.txt", 5_000, 1_000, CancellationToken.None)).Stdout);
    }
}
