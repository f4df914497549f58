using System.Diagnostics;
using Berth.IntegrationTests.EndToEnd;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.Faults;

/// <summary>
/// Every service replaced one at a time, as an orchestrator's rolling restart does, while work
/// runs: nothing is lost and nothing runs twice. Separate processes on the fault stack's own
/// virtual host.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class RollingRestartTests
{
    private static readonly TimeSpan Ready = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Stop = TimeSpan.FromSeconds(60);
    private readonly FaultStack _stack;
    private readonly ResponsesApi _api;
    private readonly ITestOutputHelper _output;

    public RollingRestartTests(FaultStack stack, ITestOutputHelper output)
    {
        _stack = stack;
        _output = output;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    [Fact]
    public Task Should_complete_every_response_once_when_the_api_and_each_executor_are_restarted_one_at_a_time() =>
        RollAsync(restartPlanner: false);

    [Fact]
    public Task Should_complete_every_response_once_when_the_api_each_executor_and_then_the_planner_on_MongoDB_are_restarted_one_at_a_time()
    {
        // With the in-memory store a planner restart takes every session with it.
        Assert.SkipWhen(MongoFixture.ConfiguredUrl is null, "No MongoDB (MONGODB_URL is not set): the planner's state goes with its process, so it cannot be restarted under work.");
        return RollAsync(restartPlanner: true);
    }

    private async Task RollAsync(bool restartPlanner)
    {
        const int count = 20;
        var run = Guid.NewGuid().ToString("N")[..8];
        var executors = new List<(string Id, ServiceProcess Process)>();
        var replaced = new List<ServiceProcess>();
        try
        {
            await RollAsync(count, run, restartPlanner, executors, replaced);
        }
        finally
        {
            // Gone before the suite's next test, whose executors must be the only ones in its pool.
            foreach (var process in executors.Select(e => e.Process).Concat(replaced))
            {
                await process.DisposeAsync();
            }
        }
    }

    private async Task RollAsync(int count, string run, bool restartPlanner, List<(string Id, ServiceProcess Process)> executors, List<ServiceProcess> replaced)
    {
        foreach (var name in new[] { "a", "b" })
        {
            var id = $"rolling-{name}-{run}";
            var executor = _stack.StartExecutor($"rolling-{name}", ("Executor__InstanceId", id), ("Executor__WarmContainers", "0"));
            executors.Add((id, executor));
        }

        await Task.WhenAll(executors.Select(e => e.Process.WaitUntilReadyAsync(Ready)));
        var (api, http) = await _stack.StartApiAsync("rolling-api");
        var through = new ResponsesApi(_stack, http);

        // The append comes first and the count last: a command run twice would count two.
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add((await through.CreateAsync(ResponsesApi.ShellRequest("[timeout_ms=60000] echo once >> once.txt; sleep 6; wc -l < once.txt", background: true))).Id());
        }

        await _api.WaitUntilCallsSentAsync(ids);

        var clock = Stopwatch.StartNew();
        await api.StopAsync(Stop);
        http.Dispose();
        var (replacementApi, replacement) = await _stack.StartApiAsync("rolling-api-again");
        replaced.Add(replacementApi);
        replacement.Dispose();
        var steps = new List<string> { $"api {clock.Elapsed.TotalSeconds:0.0} s" };

        foreach (var (id, executor) in executors)
        {
            await executor.StopAsync(Stop);
            var again = _stack.StartExecutor($"{id}-again", ("Executor__InstanceId", id), ("Executor__WarmContainers", "0"));
            replaced.Add(again);
            await again.WaitUntilReadyAsync(Ready);
            steps.Add($"executor {id} {clock.Elapsed.TotalSeconds:0.0} s");
        }

        var plannerStep = "the planner not restarted";
        if (restartPlanner)
        {
            await _stack.RestartPlannerAsync($"rolling-planner-{run}", Stop);
            plannerStep = $"planner {clock.Elapsed.TotalSeconds:0.0} s";
        }

        var finished = await _api.WaitUntilAllFinishedAsync(ids, TimeSpan.FromSeconds(120));

        _output.WriteLine($"rolling restart under {count} running commands ({string.Join(", ", steps)} after the first stop; {plannerStep}): "
            + string.Join(", ", finished.Values.GroupBy(r => r.Status()).Select(g => $"{g.Key} {g.Count()}"))
            + $", settled {clock.Elapsed.TotalSeconds:0.0} s after the first stop");
        foreach (var id in ids)
        {
            Assert.True(finished[id].Status() == "completed", $"{id}: {finished[id]}");
            Assert.Equal("1\n", finished[id].CommandOutputs().Single().GetProperty("stdout").GetString());
        }
    }
}
