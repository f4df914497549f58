using System.Diagnostics;
using Berth.Contracts;
using Berth.IntegrationTests.EndToEnd;
using Berth.IntegrationTests.Fixtures;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.IntegrationTests.Faults;

/// <summary>
/// A session's first call delivered again to an executor on another Docker engine than the one
/// that took it, where the session's container cannot be seen: it is passed to the executor that
/// holds it, or, when that one is silent, ends <c>interrupted</c>; it never runs a second time in
/// a second container. The second engine is a dockerd of the test's own.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class SecondEngineTests : IClassFixture<SecondEngineTests.Engine>, IAsyncDisposable
{
    private static readonly TimeSpan Ready = TimeSpan.FromSeconds(90);

    // The holders' containers are on the shared engine: removed however the test ended.
    private readonly List<string> _holders = [];
    private readonly FaultStack _stack;
    private readonly Engine _engine;
    private readonly ResponsesApi _api;
    private readonly ITestOutputHelper _output;

    public SecondEngineTests(FaultStack stack, Engine engine, ITestOutputHelper output)
    {
        _stack = stack;
        _engine = engine;
        _output = output;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
        Assert.SkipWhen(engine.UnavailableReason is not null, engine.UnavailableReason ?? "");
    }

    [Fact]
    public async Task Should_pass_a_first_call_delivered_again_to_the_executor_on_another_engine_that_runs_it_when_its_connection_is_cut()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var (proxy, viaProxy) = await TcpProxy.ForBrokerAsync(_stack.BrokerUri);
        await using var cut = proxy;
        var holderId = $"holder-{run}";
        _holders.Add(holderId);
        await using var holder = _stack.StartExecutor("engine-holder", ("Executor__InstanceId", holderId), ("Executor__WarmContainers", "0"),
            ("Executor__DefaultTimeoutMs", "60000"), ("ConnectionStrings__rabbitmq", viaProxy));
        await holder.WaitUntilReadyAsync(Ready);

        // The append comes first, so a second run would show; and a second run needs a container
        // on the other engine, which must stay without one. The command runs until the test says
        // (a file appears), not for a fixed time, which a slow start of the other executor outlasted.
        var response = (await _api.CreateAsync(ResponsesApi.ShellRequest(
            "echo once >> /mnt/data/once.txt; while [ ! -e /mnt/data/go ]; do sleep 0.2; done; wc -l < /mnt/data/once.txt", background: true))).Id();
        await WaitForContainerAsync(_stack.Docker.Client, holderId);
        var holderContainer = (await ContainersOfAsync(_stack.Docker.Client, holderId)).Single().ID;

        var otherId = $"other-{run}";
        // The holder must be back on the broker to answer: MassTransit reconnects after 3 s and then
        // at growing intervals, which on a busy machine has taken longer than the default 30 s wait.
        await using var other = _stack.StartExecutor("engine-other", ("Executor__InstanceId", otherId), ("Executor__WarmContainers", "0"),
            ("Executor__DockerEndpoint", _engine.Node!.Endpoint), ("Executor__HolderWaitSeconds", "90"));
        await other.WaitUntilReadyAsync(Ready);
        // A few heartbeats, so the new executor has heard the holder and which engine it is on.
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);

        // The holder's connection goes: RabbitMQ hands its unacknowledged first call to the only
        // other consumer of the pool's queue, on the other engine, while the command runs on.
        var clock = Stopwatch.StartNew();
        proxy.Cut();
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        proxy.Restore();
        await Eventually.TrueAsync(() => Task.FromResult(other.Output().Contains("asking the executors on other engines", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), "the executor on the other engine to ask who holds the session");

        // The holder answers while its command still runs: it let the delivery go when its own
        // connection went, so its bus came back without waiting for the command to end.
        await Eventually.TrueAsync(() => Task.FromResult(other.Output().Contains("the call is passed on to it", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), "the holder, back on the broker while its command runs, to answer and take the call back");
        var (signalled, signalOutput) = await ChildProcess.RunAsync("docker", ["exec", holderContainer, "touch", "/mnt/data/go"]);
        Assert.True(signalled == 0, signalOutput);

        var ended = await _api.WaitUntilFinishedAsync(response);
        Assert.True(ended.Status() == "completed", $"the response ended: {ended}; {_stack.Logs}");
        Assert.True(ended.CommandOutputs().Single().GetProperty("stdout").GetString() == "1\n", $"the command printed: {ended}");
        Assert.Empty(await ContainersOfAsync(_engine.Node.Client, otherId));
        _output.WriteLine($"The holder's broker connection cut for 1 s during 'echo once >> once.txt' and a wait: the first call went again to the executor on the other engine, "
            + $"which asked and passed it back; completed {clock.Elapsed.TotalSeconds:0.0} s after the cut, run once, no container on the other engine");
        await _stack.Docker.RemoveContainersOfAsync(holderId);
    }

    [Fact]
    public async Task Should_end_a_first_call_delivered_again_interrupted_when_the_executor_on_another_engine_that_took_it_is_killed()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var holderId = $"holder-{run}";
        _holders.Add(holderId);
        // The command's own timeout must not end it before the kill: the other executor's start
        // can take longer than the default 10 s on a busy machine.
        var holder = _stack.StartExecutor("engine-killed", ("Executor__InstanceId", holderId), ("Executor__WarmContainers", "0"),
            ("Executor__DefaultTimeoutMs", "120000"));
        await holder.WaitUntilReadyAsync(Ready);
        var response = (await _api.CreateAsync(ResponsesApi.ShellRequest("echo once >> /mnt/data/once.txt; sleep 30", background: true))).Id();
        await WaitForContainerAsync(_stack.Docker.Client, holderId);

        var otherId = $"other-{run}";
        await using var other = _stack.StartExecutor("engine-asking", ("Executor__InstanceId", otherId), ("Executor__WarmContainers", "0"),
            ("Executor__DockerEndpoint", _engine.Node!.Endpoint), ("Executor__HolderWaitSeconds", "3"));
        await other.WaitUntilReadyAsync(Ready);
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);

        await holder.KillAsync();
        var clock = Stopwatch.StartNew();
        var ended = await _api.WaitUntilFinishedAsync(response);
        var settled = clock.Elapsed;
        Assert.True(ended.Status() == "failed", $"the response ended: {ended}; {_stack.Logs}");
        Assert.Equal(ErrorCodes.Interrupted, ended.GetProperty("error").GetProperty("code").GetString());
        Assert.Empty(await ContainersOfAsync(_engine.Node.Client, otherId));
        _output.WriteLine($"SIGKILL of the executor running a first call: the call went again to the executor on the other engine, which asked, heard nothing for 3 s, "
            + $"and ended it interrupted {settled.TotalSeconds:0.0} s after the kill without running it");
        await _stack.Docker.RemoveContainersOfAsync(holderId);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var holder in _holders)
        {
            await _stack.Docker.RemoveContainersOfAsync(holder);
        }
    }

    /// <summary>Waits until the executor has made a session container and the command has had a moment to start in it.</summary>
    private static async Task WaitForContainerAsync(DockerClient docker, string executorId)
    {
        await Eventually.TrueAsync(async () => (await ContainersOfAsync(docker, executorId)).Count > 0, TimeSpan.FromSeconds(60), $"a container of {executorId}");
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
    }

    private static async Task<IList<ContainerListResponse>> ContainersOfAsync(DockerClient docker, string executorId) =>
        await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"berth.executor={executorId}"] = true } },
        });

    /// <summary>The second engine, started once for the class (copying the sandbox image in takes seconds).</summary>
    public sealed class Engine : IAsyncLifetime
    {
        public DockerEngineNode? Node { get; private set; }

        public string? UnavailableReason { get; private set; } = DockerEngineNode.UnavailableReason;

        public async ValueTask InitializeAsync()
        {
            if (UnavailableReason is null)
            {
                Node = await DockerEngineNode.StartAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Node is not null)
            {
                await Node.DisposeAsync();
            }
        }
    }
}
