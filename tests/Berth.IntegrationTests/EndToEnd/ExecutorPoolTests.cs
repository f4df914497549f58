using System.Text.Json;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// A pool of three executor processes: new sessions spread over all of them, each session's
/// later calls reach the executor holding its container, and killing one executor fails only
/// its own sessions, promptly, with <c>container_lost</c>.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ExecutorPoolTests
{
    private const int Sessions = 20;
    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public ExecutorPoolTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_spread_sessions_pin_their_calls_and_fail_only_a_killed_executors_sessions()
    {
        var third = await _stack.StartExecutorAsync("c");
        var thirdId = _stack.ExecutorIds[^1];

        // Twenty new sessions at once: each one's first call goes to whichever executor takes it.
        var first = await Task.WhenAll(Enumerable.Range(0, Sessions).Select(_ => _api.CreateAsync(ResponsesApi.ShellRequest("hostname"))));
        var sessions = new List<(string ResponseId, string Container, string Executor)>();
        var containers = await _stack.ContainersAsync();
        foreach (var response in first)
        {
            Assert.Equal("completed", response.Status());
            var hostname = response.CommandOutputs().Single().GetProperty("stdout").GetString()!.Trim();
            var container = Assert.Single(containers, c => c.ID.StartsWith(hostname, StringComparison.Ordinal));
            sessions.Add((response.GetProperty("id").GetString()!, hostname, container.Labels["berth.executor"]));
        }

        var perExecutor = sessions.GroupBy(s => s.Executor).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(perExecutor.Count == 3, $"sessions per executor: {string.Join(", ", perExecutor)}");

        // A second response in every session, each running long enough to be in flight when
        // the third executor dies. Executors run only their own containers, so a call routed to
        // the wrong one would fail instead of quietly succeeding.
        var second = await Task.WhenAll(sessions.Select(s =>
            _api.CreateAsync(ResponsesApi.ShellRequest("sleep 6; hostname", previousResponseId: s.ResponseId, background: true))));
        await Task.Delay(TimeSpan.FromSeconds(3));
        await third.KillAsync();

        var finished = await Task.WhenAll(second.Select(r => _api.WaitUntilFinishedAsync(r.GetProperty("id").GetString()!)));
        for (var i = 0; i < sessions.Count; i++)
        {
            var (_, container, executor) = sessions[i];
            var response = finished[i];
            if (executor == thirdId)
            {
                Assert.Equal("failed", response.Status());
                Assert.Equal("container_lost", response.GetProperty("error").GetProperty("code").GetString());
                Assert.Contains("lost", response.CommandOutputs().Single().GetProperty("stderr").GetString(), StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal("completed", response.Status());
                Assert.Equal(container, response.CommandOutputs().Single().GetProperty("stdout").GetString()!.Trim());
            }
        }

        // The killed executor's sessions stay failed: they can run nothing more, and say so.
        var orphan = sessions.First(s => s.Executor == thirdId);
        var after = await _api.CreateAsync(ResponsesApi.ShellRequest("ls", previousResponseId: finished[sessions.IndexOf(orphan)].GetProperty("id").GetString()));
        Assert.Equal("container_lost", after.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Array, after.GetProperty("output").ValueKind);
    }
}
