using System.Diagnostics;
using System.Text.Json;
using Berth.Contracts;
using Berth.IntegrationTests.EndToEnd;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.Faults;

/// <summary>
/// An executor killed for good: the sessions it held fail with <c>container_lost</c> within
/// 10 s, with the default heartbeat, timeout and sweep; every other session carries on.
/// Separate processes on the fault stack's own virtual host.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class ExecutorLossTests
{
    private static readonly TimeSpan Ready = TimeSpan.FromSeconds(90);
    private readonly FaultStack _stack;
    private readonly ResponsesApi _api;
    private readonly ITestOutputHelper _output;

    public ExecutorLossTests(FaultStack stack, ITestOutputHelper output)
    {
        _stack = stack;
        _output = output;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_fail_the_pinned_session_with_container_lost_within_10_s_and_keep_the_others_when_its_executor_is_killed()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        (string, string)[] defaults = [("Executor__HeartbeatSeconds", "2"), ("Executor__WarmContainers", "0")];

        // The survivor holds one container at most: once it holds the other session's, the doomed
        // session's first call can only land on the executor that is then killed.
        await using var survivor = _stack.StartExecutor("loss-survivor", [("Executor__InstanceId", $"survivor-{run}"), ("Executor__MaxContainers", "1"), .. defaults]);
        await survivor.WaitUntilReadyAsync(Ready);
        var kept = await _api.CreateAsync(ResponsesApi.ShellRequest("echo kept"));
        Assert.Equal("completed", kept.Status());

        var doomedId = $"doomed-{run}";
        var doomed = _stack.StartExecutor("loss-doomed", [("Executor__InstanceId", doomedId), .. defaults]);
        await doomed.WaitUntilReadyAsync(Ready);
        var lost = await _api.CreateAsync(ResponsesApi.ShellRequest("echo lost"));
        Assert.Equal("completed", lost.Status());

        var pinned = (await _api.CreateAsync(ResponsesApi.ShellRequest("sleep 30", previousResponseId: lost.Id(), background: true))).Id();
        var other = (await _api.CreateAsync(ResponsesApi.ShellRequest("sleep 4; echo carried on", previousResponseId: kept.Id(), background: true))).Id();
        await _api.WaitUntilCallsSentAsync(pinned);

        await doomed.KillAsync();
        var clock = Stopwatch.StartNew();
        var failed = await _api.WaitUntilFinishedAsync(pinned);
        var noticed = clock.Elapsed;

        Assert.Equal("failed", failed.Status());
        Assert.Equal(ErrorCodes.ContainerLost, failed.GetProperty("error").GetProperty("code").GetString());
        Assert.True(noticed < TimeSpan.FromSeconds(10), $"the loss took {noticed.TotalSeconds:0.0} s to reach the session");
        var carried = await _api.WaitUntilFinishedAsync(other);
        Assert.Equal("completed", carried.Status());
        Assert.Equal("carried on\n", carried.CommandOutputs().Single().GetProperty("stdout").GetString());

        // A new session works: on the killed executor's id again, which the restart takes back.
        await using var restarted = _stack.StartExecutor("loss-restarted", [("Executor__InstanceId", doomedId), .. defaults]);
        await restarted.WaitUntilReadyAsync(Ready);
        var fresh = await _api.CreateAsync(ResponsesApi.ShellRequest("echo fresh"));
        Assert.Equal("completed", fresh.Status());
        _output.WriteLine($"SIGKILL of the executor holding a session in 'sleep 30': the response failed with container_lost {noticed.TotalSeconds:0.0} s later"
            + " (the defaults: heartbeat 2 s, timeout 5 s, sweep 1 s); the other executor's session completed, and a new session completed after a restart");
    }

}
