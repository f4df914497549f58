using System.Globalization;
using Berth.IntegrationTests.Executor;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.Bench;

/// <summary>
/// Runs the benchmark's short version, so it keeps working. Its figures are printed, never
/// judged: a timing asserted on a shared CI machine would only measure the machine.
/// </summary>
[Collection(HostileCommandsCollection.Name)]
public sealed class BenchTests(DockerFixture docker, ITestOutputHelper output) : IClassFixture<DockerFixture>
{
    private const string Traced = ", spans exported over OTLP";
    private const string Runsc = "runsc";
    private const string Whole = "its `echo hi` included";

    private static void AssertFigure(string[] row, string name) =>
        Assert.True(double.TryParse(row[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var p50) && p50 > 0, $"no figure for {name}: {string.Join('|', row)}");

    [Fact]
    public async Task Should_print_a_table_with_every_measurement_when_run_short()
    {
        Assert.SkipWhen(docker.UnavailableReason is not null, docker.UnavailableReason ?? "");
        var bench = Path.Combine(BerthRepository.Root, "bench", "bin", BerthRepository.Configuration, "net10.0", "Berth.Bench.dll");
        var (exitCode, table) = await ChildProcess.RunAsync("dotnet", [bench, "--short"], timeout: TimeSpan.FromMinutes(8));
        output.WriteLine(table);

        Assert.True(exitCode == 0, table);
        var rows = table.Split('\n').Where(line => line.StartsWith("| ", StringComparison.Ordinal)).Select(line => line.Split('|', StringSplitOptions.TrimEntries)).ToList();

        // The latency table: each measurement with its p50 in milliseconds.
        string[] measured =
        [
            "raw docker exec", "exec per command", "persistent shell", "floor: bash starts and reaps", "docker run", "Berth, no warm pool", "Berth, warm pool",
            "3 calls per response", "1 call per response", "3 calls per response" + Traced,
            "bound it by its UTF-8 bytes", "count a 40-turn run", "fit it into 32k tokens",
            "1 MB: baseline: tar", "1 MB: take", "1 MB: restore", "50 MB: baseline: tar", "50 MB: take", "50 MB: restore",
        ];
        foreach (var name in measured)
        {
            var row = Assert.Single(rows, r => r[1].Contains(name, StringComparison.Ordinal) && r[1].Contains(Traced, StringComparison.Ordinal) == name.Contains(Traced, StringComparison.Ordinal)
                && !r[1].Contains(Runsc, StringComparison.Ordinal) && !r[1].Contains(Whole, StringComparison.Ordinal));
            AssertFigure(row, name);
        }

        // The same under gVisor, where the engine has it: in the sandbox, and through the whole pipeline beside runc.
        if ((await docker.Client.System.GetSystemInfoAsync(TestContext.Current.CancellationToken)).Runtimes?.ContainsKey("runsc") == true)
        {
            foreach (var name in new[] { "runsc: raw docker exec", "runsc: Berth executor, persistent shell", "runsc: Berth, no warm pool", "runsc: Berth, warm pool",
                "3 calls per response, runsc", Whole + ": per call, 3 calls per response, runc", Whole + ": per call, 3 calls per response, runsc" })
            {
                AssertFigure(Assert.Single(rows, r => r[1].Contains(name, StringComparison.Ordinal) && (name.StartsWith(Whole, StringComparison.Ordinal) || !r[1].Contains(Whole, StringComparison.Ordinal))), name);
            }
        }

        // The traced row measured what it says: spans did reach the sink.
        var exports = System.Text.RegularExpressions.Regex.Match(table, @"the OTLP sink received (\d+) span exports");
        Assert.True(exports.Success && int.Parse(exports.Groups[1].Value, CultureInfo.InvariantCulture) > 0, table);

        // The throughput table: tool calls per second, each service's peak memory, and what an
        // executor costs at idle and to warm up, for one executor at least.
        var throughput = Assert.Single(rows, r => r[1] == "1" && r.Length == 12);
        Assert.All(throughput[5..9], figure => Assert.True(double.TryParse(figure, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0, string.Join('|', throughput)));
        Assert.True(double.TryParse(throughput[9], NumberStyles.Float, CultureInfo.InvariantCulture, out var idle) && idle >= 0, string.Join('|', throughput));
        Assert.True(double.TryParse(throughput[10], NumberStyles.Float, CultureInfo.InvariantCulture, out var warmUp) && warmUp > 0, string.Join('|', throughput));

        // CPU per tool call by process: each service's share, and a total above zero.
        var cpu = Assert.Single(rows, r => r[1] == "1" && r.Length == 11);
        Assert.All(cpu[3..10], figure => Assert.True(double.TryParse(figure, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0, string.Join('|', cpu)));
        Assert.True(double.Parse(cpu[9], CultureInfo.InvariantCulture) > 0, $"no CPU counted: {string.Join('|', cpu)}");

        // Sessions on a slow model: ten background responses of one 300 ms turn, each figure there.
        var slow = Assert.Single(rows, r => r.Length == 10 && r[1] == "10" && r[2] == "300");
        Assert.All(slow[3..9], figure => Assert.True(double.TryParse(figure, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0, string.Join('|', slow)));
    }
}
