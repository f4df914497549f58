using System.Diagnostics;
using System.Text.Json;
using Berth.IntegrationTests.EndToEnd;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.Faults;

/// <summary>
/// RabbitMQ stopped and started again under running work: the executors and their containers
/// live on through it, commands that were running finish, and every response completes. On a
/// broker node of the suite's own, with the services as separate processes.
/// </summary>
[Collection(BrokerRestartCollection.Name)]
public sealed class BrokerRestartTests
{
    private readonly BrokerRestartStack _stack;
    private readonly ResponsesApi _api;
    private readonly ITestOutputHelper _output;

    public BrokerRestartTests(BrokerRestartStack stack, ITestOutputHelper output)
    {
        _stack = stack;
        _output = output;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_complete_every_running_response_when_RabbitMQ_is_restarted_under_them()
    {
        const int count = 10;
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add((await _api.CreateAsync(ResponsesApi.ShellRequest($"[timeout_ms=120000] sleep 20; echo done-{i}", background: true))).Id());
        }

        await _api.WaitUntilCallsSentAsync(ids);

        var clock = Stopwatch.StartNew();
        var stoppedAt = DateTimeOffset.UtcNow;
        await _stack.BrokerNode!.StopAppAsync();
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        await _stack.BrokerNode.StartAppAsync();
        var restarted = clock.Elapsed;

        // The api answers again once it has its broker back; until then a read may fail.
        var finished = await _api.WaitUntilAllFinishedAsync(ids, TimeSpan.FromSeconds(120));
        var settled = clock.Elapsed;

        var statuses = ids.Select(id => finished[id].Status()).ToList();
        var lastCompleted = finished.Values.Max(r => r.GetProperty("completed_at").ValueKind == JsonValueKind.Number ? r.GetProperty("completed_at").GetInt64() : 0);
        _output.WriteLine($"RabbitMQ away for {restarted.TotalSeconds:0.0} s (stop_app, 3 s, start_app) under {count} running 'sleep 20' commands: "
            + string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Key} {g.Count()}"))
            + $"; the last completed (its completed_at) {lastCompleted - stoppedAt.ToUnixTimeSeconds()} s after the stop; the api answered for all of them {settled.TotalSeconds:0.0} s after it");
        for (var i = 0; i < count; i++)
        {
            Assert.True(statuses[i] == "completed", $"response {i}: {finished[ids[i]]}");
            Assert.Equal($"done-{i}\n", finished[ids[i]].CommandOutputs().Single().GetProperty("stdout").GetString());
        }
    }
}
