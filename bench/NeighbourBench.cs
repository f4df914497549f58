using System.Diagnostics;
using Docker.DotNet;

namespace Berth.Bench;

/// <summary>
/// What a hostile neighbour costs other sessions: one session's tool calls timed through the
/// whole pipeline (one response of one call each, from submission to answer) while nothing else
/// runs, then while another session on the same executor has left processes spinning after its
/// command returned, with each way of holding sandboxes back.
/// </summary>
public static class NeighbourBench
{
    private const string Section = "another session's tool call, whole pipeline";

    // Eight busy loops left running after the command returns: more than the machine's cores, so
    // the neighbour takes all the CPU it is allowed.
    private const string Spin = "for i in 1 2 3 4 5 6 7 8; do (while :; do :; done) & done; echo spinning";

    public static async Task RunAsync(BenchOptions options, Table table)
    {
        using var docker = new DockerClientBuilder().WithEndpoint(new Uri(Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "unix:///var/run/docker.sock")).Build();
        var run = Guid.NewGuid().ToString("N")[..6];
        await using var stack = await LocalServices.StartAsync();
        using var http = new HttpClient { BaseAddress = stack.ApiUrl, Timeout = TimeSpan.FromMinutes(10) };
        var executors = new List<ServiceProcess>();
        try
        {
            // The services' own warm-up (JIT, connections, the first executor's start), untimed.
            executors.Add(await stack.StartExecutorAsync($"bench-{run}-warm"));
            await MeasureAsync(http, options, "warm-up", 0, pastBudget: false);
            await PipelineBench.StopAllAsync(stack, executors, docker);
            foreach (var (name, spinning, settings) in Cases())
            {
                executors.Add(await stack.StartExecutorAsync($"bench-{run}-{executors.Count}", settings));
                table.Add(Section, await MeasureAsync(http, options, name, spinning, settings.ContainsKey("Executor__BackgroundCheckSeconds")));
                await PipelineBench.StopAllAsync(stack, executors, docker);
            }
        }
        finally
        {
            await PipelineBench.StopAllAsync(stack, executors, docker);
        }
    }

    private static IEnumerable<(string Name, int Spinning, Dictionary<string, string> Settings)> Cases()
    {
        var asBefore = new Dictionary<string, string>
        {
            ["Executor__SandboxCgroupParent"] = "",
            ["Executor__BackgroundCpuSeconds"] = "0",
        };
        yield return ("no neighbour", 0, []);
        yield return ("1 neighbour spinning; Docker's default cgroup, no background budget", 1, asBefore);
        yield return ("3 neighbours spinning; Docker's default cgroup, no background budget", 3, asBefore);
        yield return ("3 neighbours spinning; one parent cgroup at weight 20, no background budget", 3, new()
        {
            ["Executor__SandboxCpuWeight"] = "20",
            ["Executor__BackgroundCpuSeconds"] = "0",
        });
        yield return ("3 neighbours spinning; one parent cgroup at weight 20 capped at 75% of the CPUs, no background budget", 3, new()
        {
            ["Executor__SandboxCpuWeight"] = "20",
            ["Executor__SandboxCpuFraction"] = "0.75",
            ["Executor__BackgroundCpuSeconds"] = "0",
        });
        yield return ($"3 neighbours spun past a background budget of {Budget} s", 3, new()
        {
            ["Executor__BackgroundCpuSeconds"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Executor__BackgroundCheckSeconds"] = "1",
        });
    }

    private const int Budget = 3;

    private static async Task<Timings> MeasureAsync(HttpClient http, BenchOptions options, string name, int spinning, bool pastBudget)
    {
        var victim = await PipelineBench.CreateAsync(http, "true", previous: null);
        for (var i = 0; i < spinning; i++)
        {
            await PipelineBench.CreateAsync(http, Spin, previous: null);
        }

        if (pastBudget)
        {
            // The budget, spent at most as fast as the neighbour's cap allows, then a look or two.
            await Task.Delay(TimeSpan.FromSeconds(Budget * 2 + 3));
        }

        // Warm-up (JIT, connections) first; then one response at a time with a pause between, so
        // that each starts on a pipeline done with the last.
        var timings = new Timings(name);
        var warmUp = options.Quick ? 3 : 20;
        var responses = options.Quick ? 5 : 40;
        for (var i = 0; i < warmUp + responses; i++)
        {
            var clock = Stopwatch.StartNew();
            await PipelineBench.CreateAsync(http, "echo hi", victim);
            if (i >= warmUp)
            {
                timings.Add(clock.Elapsed);
            }

            await Task.Delay(Pause);
        }

        return timings;
    }

    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(200);
}
