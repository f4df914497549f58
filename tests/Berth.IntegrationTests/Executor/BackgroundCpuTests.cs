using Berth.Contracts;
using Berth.Executor;
using Berth.Executor.Calls;
using Berth.Executor.Sandbox;
using Berth.IntegrationTests.Fixtures;
using Docker.DotNet;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.IntegrationTests.Executor;

/// <summary>
/// A session that leaves processes spinning after its command returned, on the test harness with
/// the real Docker engine, under runc and gVisor: once they have used the session's background
/// CPU budget they are ended, and only they. The session's shell (with its variables) and a
/// neighbour's sleeping process live on, and the session's next call says what happened.
/// The watch is driven by hand (<see cref="BackgroundCpuWatch.LookAsync"/>), not by its timer.
/// </summary>
[Collection(HostileCommandsCollection.Name)]
public sealed class BackgroundCpuTests(DockerFixture docker) : SandboxTestBase(docker, "background"), IClassFixture<DockerFixture>
{
    // Counts the processes running on a CPU right now, the counting command itself included,
    // and finds the neighbour's sleeper by the name it was started under; bash built-ins only.
    private const string Running = """
        n=0; for p in /proc/[1-9]*; do read -r s < $p/stat && [[ ${s##*) } == R* ]] && ((n++)); done; echo "running=$n"
        """;

    private const string FindSleeper = """
        for p in /proc/[1-9]*; do read -r -d '' a < $p/cmdline; [[ $a == berth-sleeper ]] && echo found; done; true
        """;

    [Theory]
    [InlineData("runc")]
    [InlineData("runsc")]
    public async Task Should_end_only_what_a_session_left_spinning_and_say_so_when_its_background_cpu_budget_is_spent(string runtime)
    {
        var runtimes = (await Docker.Client.System.GetSystemInfoAsync()).Runtimes;
        Assert.SkipUnless(runtimes.ContainsKey(runtime), $"The Docker engine here has no '{runtime}' runtime ('./berth setup' registers gVisor's runsc where it is installed).");
        await using var provider = Provider(runtime);
        var harness = provider.GetRequiredService<ITestHarness>();
        var watch = provider.GetRequiredService<BackgroundCpuWatch>();
        var accounts = provider.GetRequiredService<BackgroundCpu>();
        await harness.Start();
        try
        {
            var spinner = Guid.NewGuid();
            var sleeper = Guid.NewGuid();
            var spun = await CallAsync(harness, spinner, "spin", null,
                "for i in 1 2; do (while :; do :; done) & done; echo \"started $$\"");
            var slept = await CallAsync(harness, sleeper, "sleep", null, "(exec -a berth-sleeper sleep 600) & echo sleeping");
            // Each command runs in a subshell of the session's one shell, whose pid $$ gives.
            var shell = spun.Outputs.Single().Stdout.Split(' ')[1].Trim();
            Assert.StartsWith("started ", spun.Outputs.Single().Stdout, StringComparison.Ordinal);
            Assert.Equal("sleeping\n", slept.Outputs.Single().Stdout);

            await Eventually.TrueAsync(async () =>
            {
                await watch.LookAsync(TestContext.Current.CancellationToken);
                return accounts.HasNotice(spinner);
            }, TimeSpan.FromSeconds(60), "the spinning processes to be ended past the budget of 1 CPU second");

            var after = (await CallAsync(harness, spinner, "after", spun.ContainerId, "echo \"$$\"")).Outputs.Single();
            Assert.Equal($"{shell}\n", after.Stdout);
            Assert.StartsWith("[berth: processes left running after this session's commands returned used", after.Stderr, StringComparison.Ordinal);
            Assert.Contains("processes were ended", after.Stderr, StringComparison.Ordinal);
            Assert.False(accounts.HasNotice(spinner));

            // A killed process takes a moment to go (under gVisor especially).
            var look = 0;
            await Eventually.TrueAsync(async () =>
                (await CallAsync(harness, spinner, $"running-{++look}", spun.ContainerId, Running)).Outputs.Single().Stdout == "running=1\n",
                TimeSpan.FromSeconds(20), "the ended processes to be gone, leaving only the counting command running");

            await watch.LookAsync(TestContext.Current.CancellationToken);
            var neighbour = (await CallAsync(harness, sleeper, "still", slept.ContainerId, FindSleeper)).Outputs.Single();
            Assert.Equal("found\n", neighbour.Stdout);
            Assert.Equal("", neighbour.Stderr);
        }
        finally
        {
            await harness.Stop();
        }
    }

    private ServiceProvider Provider(string runtime) => ExecutorHarness.Provider(ExecutorId, o =>
    {
        o.Runtime = runtime;
        o.WarmContainers = 0;
        o.BackgroundCpuSeconds = 1;
    }, services => services.AddSingleton<BackgroundCpu>().AddSingleton<BackgroundCpuWatch>());

    private static async Task<ToolCallCompleted> CallAsync(ITestHarness harness, Guid sessionId, string callId, string? containerId, string command)
    {
        var pool = await harness.Bus.GetSendEndpoint(Endpoints.Executors);
        await pool.Send(new ToolCallRequested
        {
            SessionId = sessionId,
            ResponseId = "resp_background",
            CallId = callId,
            Commands = [command],
            ContainerId = containerId,
        });
        Assert.True(await harness.Published.Any<ToolCallCompleted>(m => m.Context.Message.CallId == callId));
        var completed = harness.Published.Select<ToolCallCompleted>(m => m.Context.Message.CallId == callId).First().Context.Message;
        Assert.True(completed.Error is null, completed.Error);
        return completed;
    }
}
