using System.Diagnostics;
using System.Text.Json;
using Berth.Contracts;
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
        await Eventually.TrueAsync(async () => (await _api.GetAsync(running)).Body.Items("shell_call").Any(), TimeSpan.FromSeconds(30), "the call to be sent");
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

}
