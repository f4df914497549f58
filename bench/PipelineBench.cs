using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Docker.DotNet;

namespace Berth.Bench;

/// <summary>
/// The whole pipeline (api, bus, planner, executor) with a model that answers at once: what Berth
/// adds to each tool call beyond the sandbox's own time, and how many tool calls per second it
/// runs with 1, 2 and 4 executors, with the peak memory of each service.
/// </summary>
public static class PipelineBench
{
    public static async Task RunAsync(BenchOptions options, Table table)
    {
        using var docker = new DockerClientBuilder().WithEndpoint(new Uri(Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "unix:///var/run/docker.sock")).Build();
        var run = Guid.NewGuid().ToString("N")[..6];
        var calls = options.Quick ? 3 : 10;
        await UntracedAsync(options, table, docker, run, calls);
        if (options.OnlyThroughput)
        {
            return;
        }

        // The same again, with every service exporting its spans as it would to Jaeger: what
        // tracing costs a tool call. The stacks share a virtual host, so they run one after the other.
        await using var sink = OtlpSink.Start();
        await using var traced = await LocalServices.StartAsync(sink.Settings);
        using var http = new HttpClient { BaseAddress = traced.ApiUrl, Timeout = TimeSpan.FromMinutes(10) };
        var executors = new List<ServiceProcess>();
        try
        {
            executors.Add(await traced.StartExecutorAsync($"bench-{run}-traced"));
            table.Add(Section, await OverheadAsync(http, executors[0], options, calls, ", spans exported over OTLP"));
            await sink.WaitForSpansAsync(TimeSpan.FromSeconds(15));
            table.Note(sink.Summary());
        }
        finally
        {
            await StopAllAsync(traced, executors, docker);
        }
    }

    private const string Section = "tool call through the whole pipeline, minus its sandbox time";

    private const string WholeSection = "tool call through the whole pipeline, its `echo hi` included";

    /// <summary>Overhead and throughput as configured by default: no span exporter, so no span is recorded.</summary>
    private static async Task UntracedAsync(BenchOptions options, Table table, DockerClient docker, string run, int calls)
    {
        await using var stack = await LocalServices.StartAsync();
        using var http = new HttpClient { BaseAddress = stack.ApiUrl, Timeout = TimeSpan.FromMinutes(10) };
        var executors = new List<ServiceProcess>();
        try
        {
            if (!options.OnlyThroughput)
            {
                await OverheadRoundsAsync(stack, http, executors, options, docker, run, calls, table);
            }

            foreach (var count in options.Quick ? new[] { 1 } : new[] { 1, 2, 4 })
            {
                await StopAllAsync(stack, executors, docker);
                executors.AddRange(await Task.WhenAll(Enumerable.Range(1, count).Select(i => stack.StartExecutorAsync($"bench-{run}-x{count}-{i}"))));
                table.Add(await ThroughputAsync(http, stack, executors, options));
            }
        }
        finally
        {
            await StopAllAsync(stack, executors, docker);
        }
    }

    /// <summary>The overhead rounds: runc, then runsc where the engine has gVisor.</summary>
    private static async Task OverheadRoundsAsync(LocalServices stack, HttpClient http, List<ServiceProcess> executors, BenchOptions options, DockerClient docker, string run, int calls, Table table)
    {
        executors.Add(await stack.StartExecutorAsync($"bench-{run}-overhead"));
        var wholeRunc = new Timings($"per call, {calls} calls per response, runc");
        table.Add(Section, await OverheadAsync(http, executors[0], options, calls, whole: wholeRunc));
        table.Add(Section, await OverheadAsync(http, executors[0], options, 1));

        // The same calls under gVisor, which operators serving many tenants pick: an executor
        // of its own, so that its sessions' containers are runsc ones from the start.
        if ((await docker.System.GetSystemInfoAsync()).Runtimes?.ContainsKey("runsc") == true)
        {
            await StopAllAsync(stack, executors, docker);
            executors.Add(await stack.StartExecutorAsync($"bench-{run}-runsc", new Dictionary<string, string> { ["Executor__Runtime"] = "runsc" }));
            var wholeRunsc = new Timings($"per call, {calls} calls per response, runsc");
            table.Add(Section, await OverheadAsync(http, executors[0], options, calls, ", runsc", wholeRunsc));
            table.Add(Section, await OverheadAsync(http, executors[0], options, 1, ", runsc"));
            table.Add(WholeSection, wholeRunc);
            table.Add(WholeSection, wholeRunsc);
        }
    }

    /// <summary>
    /// 2. Responses of N tool calls each, all continuing one first response, so they share its
    /// container and their history stays the same size. The command is <c>echo hi</c>: real
    /// commands print, and printed output has a path of its own. Per response: (wall time − the
    /// executor's own command time) / N. With N = 1 the figure is a whole response's own cost
    /// (submission, first and last model turn, the answer) plus one call; with N = 10 that cost
    /// is spread over ten calls.
    /// </summary>
    /// <param name="whole">When given, also gets each call's whole time, its command's own included.</param>
    private static async Task<Timings> OverheadAsync(HttpClient http, ServiceProcess executor, BenchOptions options, int calls, string how = "", Timings? whole = null)
    {
        var responses = options.Quick ? 3 : 40;
        var first = await CreateAsync(http, "true", previous: null);
        var timings = new Timings((calls == 1 ? "per call, 1 call per response" : $"per call, {calls} calls per response") + how);
        for (var i = 0; i < responses + 2; i++)
        {
            var sandboxBefore = await CommandSecondsAsync(executor);
            var clock = Stopwatch.StartNew();
            await CreateAsync(http, string.Join('\n', Enumerable.Repeat("echo hi", calls)), first);
            var wall = clock.Elapsed;

            // The Prometheus exporter caches a scrape for a moment; wait it out.
            await Task.Delay(TimeSpan.FromMilliseconds(1100));
            var sandbox = TimeSpan.FromSeconds(await CommandSecondsAsync(executor) - sandboxBefore);
            if (i >= 2)
            {
                timings.Add((wall - sandbox) / calls);
                whole?.Add(wall / calls);
            }
        }

        return timings;
    }

    /// <summary>
    /// 4. Sessions at once, each first made (untimed: that is the cold-start measurement's
    /// business), then each running M tool calls, once to warm up and once timed; tool calls per
    /// second over the timed round.
    /// </summary>
    private static async Task<ThroughputRow> ThroughputAsync(HttpClient http, LocalServices stack, List<ServiceProcess> executors, BenchOptions options)
    {
        var sessions = options.Quick ? 4 : 50;
        var calls = options.Quick ? 2 : 6;
        var firsts = await Task.WhenAll(Enumerable.Range(0, sessions).Select(_ => CreateAsync(http, "true", previous: null)));
        var script = string.Join('\n', Enumerable.Repeat("echo hi", calls));

        // A process just started compiles its hot code again, optimised, in the background after
        // its first calls (tiered JIT): seconds of CPU that a long-running executor paid long ago.
        // Two untimed rounds of the same work, then quiet, so the timed round measures the steady
        // state; what warming up cost is a column of its own.
        for (var round = 0; round < 2; round++)
        {
            await Task.WhenAll(firsts.Select(id => CreateAsync(http, script, id)));
        }

        await SettleAsync(stack, executors);
        var warmUpSeconds = executors.Average(e => e.CpuTime().TotalSeconds);

        // What the executors cost while their sessions' containers sit idle: heartbeats, sweeps,
        // warm-pool upkeep, the background-CPU watch. Every executor added pays it.
        var quiet = TimeSpan.FromSeconds(options.Quick ? 2 : 10);
        var idle = CpuMeter.Start(stack, executors);
        await Task.Delay(quiet);
        var idleMsPerSecond = idle.PerUnit(1)["executors"] / quiet.TotalSeconds / executors.Count;

        var cpu = CpuMeter.Start(stack, executors);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(firsts.Select(id => CreateAsync(http, script, id)));
        var elapsed = clock.Elapsed;

        return new ThroughputRow(executors.Count, sessions, sessions * calls, elapsed,
            stack.Api.PeakMemoryMb(), stack.Planner.PeakMemoryMb(), executors.Max(e => e.PeakMemoryMb()), cpu.PerUnit(sessions * calls), idleMsPerSecond, warmUpSeconds);
    }

    /// <summary>Waits until each of Berth's own processes uses under 5% of a core for a second, or half a minute has passed.</summary>
    private static async Task SettleAsync(LocalServices stack, List<ServiceProcess> executors)
    {
        for (var waited = 0; waited < 30; waited++)
        {
            var meter = CpuMeter.Start(stack, executors);
            await Task.Delay(TimeSpan.FromSeconds(1));
            var used = meter.PerUnit(1);
            if (used["api"] < 50 && used["planner"] < 50 && used["executors"] / executors.Count < 50)
            {
                return;
            }
        }
    }

    internal static async Task<string> CreateAsync(HttpClient http, string input, string? previous)
    {
        var request = new Dictionary<string, object?>
        {
            ["model"] = "berth-scripted",
            ["input"] = input,
            ["tools"] = new[] { new { type = "shell" } },
        };
        if (previous is not null)
        {
            request["previous_response_id"] = previous;
        }

        using var answer = await http.PostAsJsonAsync("responses", request);
        var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        if (!answer.IsSuccessStatusCode || body.GetProperty("status").GetString() != "completed")
        {
            throw new InvalidOperationException($"A benchmark response did not complete: {(int)answer.StatusCode} {body}");
        }

        return body.GetProperty("id").GetString()!;
    }

    /// <summary>The executor's total command time so far, from its Prometheus metrics.</summary>
    private static async Task<double> CommandSecondsAsync(ServiceProcess executor)
    {
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(executor.Url, "/metrics"));
        return metrics.Split('\n')
            .Where(line => line.StartsWith("berth_command_duration_seconds_sum", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    internal static async Task StopAllAsync(LocalServices stack, List<ServiceProcess> executors, DockerClient docker)
    {
        foreach (var executor in executors)
        {
            await stack.StopAsync(executor);
            await SandboxBench.RemoveAsync(docker, executor.Name["executor-".Length..]);
        }

        executors.Clear();
    }
}

/// <summary>One line of the throughput table.</summary>
/// <param name="CpuMsPerCall">CPU milliseconds per tool call by process, over the timed round (<see cref="CpuMeter.Columns"/>).</param>
/// <param name="ExecutorIdleMsPerSecond">CPU milliseconds per second each executor spends while its sessions sit idle, before the round.</param>
/// <param name="ExecutorWarmUpSeconds">CPU seconds each executor spent from its start through the warm-up round until it settled.</param>
public sealed record ThroughputRow(int Executors, int Sessions, int ToolCalls, TimeSpan Elapsed, double ApiMb, double PlannerMb, double ExecutorMb,
    IReadOnlyDictionary<string, double> CpuMsPerCall, double ExecutorIdleMsPerSecond, double ExecutorWarmUpSeconds)
{
    public double PerSecond => ToolCalls / Elapsed.TotalSeconds;
}
