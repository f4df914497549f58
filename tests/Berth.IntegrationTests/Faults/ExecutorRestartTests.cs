using System.Diagnostics;
using System.Text.Json;
using Berth.Contracts;
using Berth.Executor.Calls;
using Berth.IntegrationTests.EndToEnd;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.Faults;

/// <summary>
/// An executor killed and started again under its id: the calls RabbitMQ hands back to it are
/// never run a second time. Separate processes on the fault stack's own virtual host.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class ExecutorRestartTests
{
    private static readonly TimeSpan Ready = TimeSpan.FromSeconds(90);
    private readonly FaultStack _stack;
    private readonly ResponsesApi _api;
    private readonly ITestOutputHelper _output;

    public ExecutorRestartTests(FaultStack stack, ITestOutputHelper output)
    {
        _stack = stack;
        _output = output;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_not_run_a_call_again_and_end_it_interrupted_when_its_executor_is_killed_and_restarted_under_its_id()
    {
        var id = $"restart-{Guid.NewGuid().ToString("N")[..8]}";
        (string, string)[] settings = [("Executor__InstanceId", id), ("Executor__WarmContainers", "0")];
        var executor = _stack.StartExecutor("restart-before", settings);
        await executor.WaitUntilReadyAsync(Ready);

        var first = await _api.CreateAsync(ResponsesApi.ShellRequest("echo hi"));
        Assert.Equal("completed", first.Status());
        var running = (await _api.CreateAsync(ResponsesApi.ShellRequest("echo once >> once.txt; sleep 3", previousResponseId: first.Id(), background: true))).Id();

        // The append comes first, so a second run would show in the file.
        await _api.WaitUntilCallsSentAsync(running);
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        await executor.KillAsync();
        var clock = Stopwatch.StartNew();
        await using var restarted = _stack.StartExecutor("restart-after", settings);
        await restarted.WaitUntilReadyAsync(Ready);

        var ended = await _api.WaitUntilFinishedAsync(running);
        var settled = clock.Elapsed;
        var status = ended.Status();
        Assert.True(status == "completed" || ended.GetProperty("error").GetProperty("code").GetString() == ErrorCodes.Interrupted,
            $"the response ended {status}: {ended}");

        var check = await _api.CreateAsync(ResponsesApi.ShellRequest("wc -l < once.txt", previousResponseId: running));
        Assert.Equal("completed", check.Status());
        Assert.Equal("1\n", check.CommandOutputs().Single().GetProperty("stdout").GetString());
        _output.WriteLine($"SIGKILL during 'echo once >> once.txt; sleep 3', restart under {id}: the response ended {status}"
            + $" ({(status == "completed" ? "" : ended.GetProperty("error").GetProperty("code").GetString())}) {settled.TotalSeconds:0.0} s after the kill; once.txt has 1 line");
    }


    [Fact]
    public async Task Should_let_a_running_call_finish_when_its_executor_is_stopped_gracefully_and_restarted_under_its_id()
    {
        var id = $"drain-{Guid.NewGuid().ToString("N")[..8]}";
        (string, string)[] settings = [("Executor__InstanceId", id), ("Executor__WarmContainers", "0")];
        var executor = _stack.StartExecutor("drain-before", settings);
        await executor.WaitUntilReadyAsync(Ready);

        var first = await _api.CreateAsync(ResponsesApi.ShellRequest("echo hi"));
        Assert.Equal("completed", first.Status());
        var running = (await _api.CreateAsync(ResponsesApi.ShellRequest("echo once >> once.txt; sleep 4; wc -l < once.txt", previousResponseId: first.Id(), background: true))).Id();
        await _api.WaitUntilCallsSentAsync(running);
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);

        // As a rolling restart does: stop, wait for the process to end, start it again.
        var clock = Stopwatch.StartNew();
        await executor.StopAsync(TimeSpan.FromSeconds(60));
        var stopped = clock.Elapsed;
        await using var restarted = _stack.StartExecutor("drain-after", settings);
        await restarted.WaitUntilReadyAsync(Ready);

        var ended = await _api.WaitUntilFinishedAsync(running);
        Assert.True(ended.Status() == "completed", $"the response ended: {ended}");
        Assert.Equal("1\n", ended.CommandOutputs().Single().GetProperty("stdout").GetString());
        _output.WriteLine($"SIGTERM 1 s into 'echo once >> once.txt; sleep 4': the executor let the call finish and exited {stopped.TotalSeconds:0.0} s later; "
            + "after a restart under its id the response was completed, the command having run once");
    }

    [Fact]
    public async Task Should_end_the_call_interrupted_when_its_executor_is_stopped_gracefully_and_the_command_outlasts_the_drain()
    {
        (string, string)[] settings = [("Executor__InstanceId", $"outlasted-{Guid.NewGuid().ToString("N")[..8]}"), ("Executor__WarmContainers", "0")];
        var executor = _stack.StartExecutor("outlasted-before", settings);
        await executor.WaitUntilReadyAsync(Ready);
        var running = (await _api.CreateAsync(ResponsesApi.ShellRequest("[timeout_ms=300000] sleep 240", background: true))).Id();
        await _api.WaitUntilCallsSentAsync(running);

        var clock = Stopwatch.StartNew();
        await executor.StopAsync(TimeSpan.FromSeconds(60));
        var stopped = clock.Elapsed;

        // Back under the same id, as a rolling restart brings it: its heartbeats tell the planner
        // the session's executor is alive, so only the stopped process's word can end the call.
        await using var restarted = _stack.StartExecutor("outlasted-after", settings);
        await restarted.WaitUntilReadyAsync(Ready);
        var ended = await _api.WaitUntilFinishedAsync(running);

        Assert.Equal(("failed", ErrorCodes.Interrupted), (ended.Status(), ended.GetProperty("error").GetProperty("code").GetString()));
        _output.WriteLine($"SIGTERM under 'sleep 240': the executor waited {CommandLifetime.Drain.TotalSeconds:0} s for it and exited {stopped.TotalSeconds:0.0} s after the signal; "
            + $"the response ended failed ({ErrorCodes.Interrupted}), seen {clock.Elapsed.TotalSeconds:0.0} s after it");
    }
}
