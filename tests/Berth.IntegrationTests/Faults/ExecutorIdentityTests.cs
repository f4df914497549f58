using Berth.Contracts;
using Berth.Executor;
using Berth.Executor.Identity;
using Berth.Executor.Sandbox;
using Berth.IntegrationTests.EndToEnd;
using Berth.IntegrationTests.Fixtures;
using Docker.DotNet.Models;
using RabbitMQ.Client;

namespace Berth.IntegrationTests.Faults;

/// <summary>
/// No two live executors share an id, a call delivered to the wrong one is passed to the one
/// holding its container and runs once, and what an executor gone for good left behind is
/// cleaned up, by another executor of the same deployment only. Executors here are separate
/// processes on the fault stack's own virtual host.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class ExecutorIdentityTests
{
    private static readonly TimeSpan Ready = TimeSpan.FromSeconds(90);
    private readonly FaultStack _stack;
    private readonly ResponsesApi _api;

    private readonly ITestOutputHelper _output;

    public ExecutorIdentityTests(FaultStack stack, ITestOutputHelper output)
    {
        _stack = stack;
        _output = output;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_give_distinct_ids_and_keep_every_session_to_its_own_files_when_two_executors_share_a_host_unpinned()
    {
        // The first fills its warm pool before the second starts: executors sharing an id would
        // both adopt those warm containers and hand one to two sessions.
        await using var first = _stack.StartExecutor("unpinned-1", ("Executor__WarmContainers", "3"));
        await first.WaitUntilReadyAsync(Ready);
        var firstId = ExecutorIdentity.SlotId(Environment.MachineName, 1);
        await Eventually.TrueAsync(async () => (await ContainersOfAsync(firstId)).Count(c => c.Labels.ContainsKey(DockerSandbox.WarmLabel)) == 3,
            TimeSpan.FromSeconds(60), "the first executor's three warm containers");
        await using var second = _stack.StartExecutor("unpinned-2", ("Executor__WarmContainers", "3"));
        await second.WaitUntilReadyAsync(Ready);
        var secondId = ExecutorIdentity.SlotId(Environment.MachineName, 2);
        Assert.Contains($"Executor {firstId} holds its id", first.Output(), StringComparison.Ordinal);
        Assert.Contains($"Executor {secondId} holds its id", second.Output(), StringComparison.Ordinal);

        var tokens = Enumerable.Range(0, 20).Select(i => $"session-{i}-{Guid.NewGuid():N}").ToList();
        var responses = await Task.WhenAll(tokens.Select(token =>
            _api.CreateAsync(ResponsesApi.ShellRequest($"cat note.txt 2>/dev/null; echo {token} > note.txt; cat note.txt"))));

        for (var i = 0; i < tokens.Count; i++)
        {
            Assert.Equal("completed", responses[i].Status());
            Assert.Equal($"{tokens[i]}\n", responses[i].CommandOutputs().Single().GetProperty("stdout").GetString());
        }

        // Claimed warm containers keep their warm label (labels never change): a session's is known by its name.
        var sessions = (await ContainersOfAsync(firstId)).Concat(await ContainersOfAsync(secondId))
            .Where(c => DeploymentOf(c) == _stack.Deployment && SandboxNames.TrySessionOf(c.Names[0].TrimStart('/'), out _))
            .ToList();
        Assert.Equal(20, sessions.Count);
        _output.WriteLine($"unpinned executors took ids {firstId} and {secondId}; sessions per executor: "
            + string.Join(", ", sessions.GroupBy(c => c.Labels[DockerSandbox.ExecutorLabel]).Select(g => $"{g.Key} {g.Count()}"))
            + "; 20 of 20 sessions read only their own file");
    }

    [Fact]
    public async Task Should_refuse_to_start_when_a_live_executor_holds_its_id_and_take_it_at_once_when_that_one_is_killed()
    {
        var id = $"clash-{Guid.NewGuid().ToString("N")[..8]}";
        var holder = _stack.StartExecutor("clash-holder", ("Executor__InstanceId", id), ("Executor__WarmContainers", "0"));
        await holder.WaitUntilReadyAsync(Ready);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var intruder = _stack.StartExecutor("clash-intruder", ("Executor__InstanceId", id), ("Executor__WarmContainers", "0"));
        var exitCode = await intruder.WaitForExitAsync(TimeSpan.FromSeconds(60));
        _output.WriteLine($"a second executor with the live id {id} exited with code {exitCode} {clock.Elapsed.TotalSeconds:0.0} s after it was started");
        Assert.NotEqual(0, exitCode);
        Assert.Contains($"Executor id '{id}' is held by another live executor", intruder.Output(), StringComparison.Ordinal);

        // A killed executor's id is free the moment its connection drops: a restart under the
        // same id is not refused.
        await holder.KillAsync();
        clock.Restart();
        await using var restarted = _stack.StartExecutor("clash-restarted", ("Executor__InstanceId", id), ("Executor__WarmContainers", "0"));
        await restarted.WaitUntilReadyAsync(Ready);
        Assert.Contains($"Executor {id} holds its id", restarted.Output(), StringComparison.Ordinal);
        _output.WriteLine($"after a SIGKILL of the holder, an executor under its id was ready {clock.Elapsed.TotalSeconds:0.0} s after it was started");
    }

    [Fact]
    public async Task Should_pass_a_first_call_to_the_executor_holding_its_container_and_run_it_once_when_another_executor_gets_it_again()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var (holderId, otherId) = ($"holder-{run}", $"other-{run}");
        await using var holder = _stack.StartExecutor("holder", ("Executor__InstanceId", holderId), ("Executor__WarmContainers", "0"));
        await holder.WaitUntilReadyAsync(Ready);
        await using var completions = await BusProbe.StartAsync<ToolCallCompleted>(_stack.BrokerUri);

        var call = new ToolCallRequested
        {
            SessionId = Guid.NewGuid(),
            ResponseId = $"resp_{run}",
            CallId = $"call_{run}",
            Commands = ["echo once >> once.txt; wc -l < once.txt"],
        };
        await completions.SendAsync(Endpoints.Executor(holderId), call);
        var first = await HeardAsync(completions, call.CallId, 1);
        Assert.Null(first.Error);
        Assert.Equal("1\n", first.Outputs.Single().Stdout);

        // The same first call again, as RabbitMQ redelivers it after a broker restart, to another
        // executor on the same engine (warm, so it tries to claim a container for the session).
        await using var other = _stack.StartExecutor("other", ("Executor__InstanceId", otherId), ("Executor__WarmContainers", "1"));
        await other.WaitUntilReadyAsync(Ready);
        await Eventually.TrueAsync(async () => (await ContainersOfAsync(otherId)).Count == 1, TimeSpan.FromSeconds(60), "the other executor's warm container");
        await completions.SendAsync(Endpoints.Executor(otherId), call);
        var again = await HeardAsync(completions, call.CallId, 2);
        Assert.Null(again.Error);
        Assert.Equal(holderId, again.ExecutorId);
        Assert.Equal(first.ContainerId, again.ContainerId);
        Assert.Equal("1\n", again.Outputs.Single().Stdout);
        // The executor's log reaches its file a moment after the call's result reaches the bus.
        await Eventually.TrueAsync(() => Task.FromResult(other.Output().Contains("passed on to it", StringComparison.Ordinal)), TimeSpan.FromSeconds(10),
            "the other executor to log that it passed the call on");
        _output.WriteLine($"the first call delivered again to {otherId} was passed on to {again.ExecutorId} and answered from its record: stdout {again.Outputs.Single().Stdout.Trim()}, error {again.Error ?? "none"}");

        // The session's next call shows the first one's command ran exactly once.
        await completions.SendAsync(Endpoints.Executor(holderId), call with { CallId = $"call_{run}_next", Commands = ["wc -l < once.txt"], ContainerId = first.ContainerId });
        Assert.Equal("1\n", (await HeardAsync(completions, $"call_{run}_next", 1)).Outputs.Single().Stdout);
    }

    [Fact]
    public async Task Should_remove_what_an_executor_gone_for_good_left_and_nothing_while_its_queue_waits_or_of_another_deployment()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var goneId = $"gone-{run}";
        var gone = _stack.StartExecutor("gone", ("Executor__InstanceId", goneId), ("Executor__WarmContainers", "1"));
        await gone.WaitUntilReadyAsync(Ready);
        await using var completions = await BusProbe.StartAsync<ToolCallCompleted>(_stack.BrokerUri);
        await using var removals = await BusProbe.StartAsync<ContainerRemoved>(_stack.BrokerUri);
        var sessionId = Guid.NewGuid();
        await completions.SendAsync(Endpoints.Executor(goneId),
            new ToolCallRequested { SessionId = sessionId, ResponseId = $"resp_{run}", CallId = $"call_{run}", Commands = ["true"] });
        Assert.Null((await HeardAsync(completions, $"call_{run}", 1)).Error);
        await Eventually.TrueAsync(async () => (await ContainersOfAsync(goneId)).Count == 2, TimeSpan.FromSeconds(60), "the session's container and a warm one");

        // An executor of the same name under another deployment on the same engine: never touched.
        var elsewhere = DockerSandbox.Create(_stack.Docker.Client, new ExecutorOptions { InstanceId = goneId, Deployment = "elsewhere:5672/", Image = DockerFixture.SandboxImage, WarmContainers = 1 });
        await elsewhere.RefillWarmAsync(TestContext.Current.CancellationToken);

        await gone.KillAsync();
        await using var sweeper = _stack.StartExecutor("sweeper", ("Executor__InstanceId", $"sweeper-{run}"), ("Executor__WarmContainers", "0"),
            ("Executor__OrphanGraceSeconds", "1"), ("Executor__SweepSeconds", "1"));
        await sweeper.WaitUntilReadyAsync(Ready);

        // Its queue still waits for it (a restart under the same id would take its containers
        // back), so several sweeps later they are all still there.
        await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(2, (await ContainersOfAsync(goneId)).Count(c => DeploymentOf(c) == _stack.Deployment));

        // Its queue expires (deleted here, as RabbitMQ's x-expires would after Executor:QueueExpiryMinutes).
        await DeleteQueueAsync(Endpoints.ExecutorQueueName(goneId));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.TrueAsync(async () => !(await ContainersOfAsync(goneId)).Any(c => DeploymentOf(c) == _stack.Deployment),
            TimeSpan.FromSeconds(30), "the gone executor's containers to be removed");
        await Eventually.TrueAsync(() => Task.FromResult(removals.Heard.Any(r => r.SessionId == sessionId && r.ExecutorId == goneId && r.Reason == "expired")),
            TimeSpan.FromSeconds(10), "ContainerRemoved for the session");

        _output.WriteLine($"with its queue still there, the gone executor's 2 containers stayed through 5 s of 1 s sweeps; once it was gone, they were removed {clock.Elapsed.TotalSeconds:0.0} s later (grace 1 s)");
        var survivors = await ContainersOfAsync(goneId);
        var survivor = Assert.Single(survivors);
        Assert.Equal("elsewhere:5672/", survivor.Labels[DockerSandbox.DeploymentLabel]);
        await _stack.Docker.Client.Containers.RemoveContainerAsync(survivor.ID, new ContainerRemoveParameters { Force = true });
    }

    [Fact]
    public async Task Should_let_a_held_call_go_and_still_answer_it_once_when_the_executors_own_connection_watch_sees_the_broker_go()
    {
        var id = $"watch-{Guid.NewGuid().ToString("N")[..8]}";
        await using var executor = _stack.StartExecutor("connection-watch", ("Executor__InstanceId", id), ("Executor__WarmContainers", "0"),
            ("Executor__DefaultTimeoutMs", "60000"));
        await executor.WaitUntilReadyAsync(Ready);
        var response = (await _api.CreateAsync(ResponsesApi.ShellRequest(
            "echo once >> once.txt; while [ ! -e go ]; do sleep 0.2; done; wc -l < once.txt", background: true))).Id();
        await Eventually.TrueAsync(async () => (await ContainersOfAsync(id)).Count == 1, TimeSpan.FromSeconds(60), "the session's container");
        var container = (await ContainersOfAsync(id)).Single().ID;

        // The broker closes the executor's lock connection, and only that one: MassTransit's own
        // connection stays, so it cancels nothing, and what lets the held delivery go is the
        // executor's own watch. (MassTransit does not always cancel a held delivery on a real cut.)
        var virtualHost = Uri.UnescapeDataString(new Uri(_stack.BrokerUri).AbsolutePath.TrimStart('/'));
        var (listed, queues) = await ChildProcess.RunAsync("rabbitmqctl", ["-q", "list_queues", "-p", virtualHost, "name", "owner_pid"]);
        Assert.True(listed == 0, queues);
        var owner = queues.Split('\n').Select(line => line.Split('\t')).Single(parts => parts[0] == Endpoints.ExecutorLockQueueName(id))[1].Trim();
        var (closed, closeOutput) = await ChildProcess.RunAsync("rabbitmqctl", ["-q", "close_connection", owner, "berth test: the executor's lock connection goes"]);
        Assert.True(closed == 0, closeOutput);

        await Eventually.TrueAsync(() => Task.FromResult(executor.Output().Contains("its delivery lost the broker connection", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the executor to let the held delivery go while its command runs");
        var (signalled, signalOutput) = await ChildProcess.RunAsync("docker", ["exec", container, "touch", "/mnt/data/go"]);
        Assert.True(signalled == 0, signalOutput);

        // Its result went out on its own once the command ended, and the call ran once.
        var ended = await _api.WaitUntilFinishedAsync(response);
        Assert.True(ended.Status() == "completed", $"the response ended: {ended}; {_stack.Logs}");
        Assert.Equal("1\n", ended.CommandOutputs().Single().GetProperty("stdout").GetString());
        await _stack.Docker.RemoveContainersOfAsync(id);
    }

    private async Task<IList<ContainerListResponse>> ContainersOfAsync(string executorId) =>
        await _stack.Docker.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{DockerSandbox.ExecutorLabel}={executorId}"] = true } },
        });

    private static string? DeploymentOf(ContainerListResponse container) =>
        container.Labels.TryGetValue(DockerSandbox.DeploymentLabel, out var deployment) ? deployment : null;

    private static async Task<ToolCallCompleted> HeardAsync(BusProbe<ToolCallCompleted> probe, string callId, int count)
    {
        await Eventually.TrueAsync(() => Task.FromResult(probe.Heard.Count(c => c.CallId == callId) >= count), TimeSpan.FromSeconds(60), $"completion {count} of {callId}");
        return probe.Heard.Where(c => c.CallId == callId).ElementAt(count - 1);
    }

    private async Task DeleteQueueAsync(string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(_stack.BrokerUri) }.CreateConnectionAsync(TestContext.Current.CancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
        await channel.QueueDeleteAsync(queue, cancellationToken: TestContext.Current.CancellationToken);
    }
}
