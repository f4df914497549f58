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
    [Fact]
    public async Task Should_print_a_table_with_every_measurement_when_run_short()
    {
        Assert.SkipWhen(docker.UnavailableReason is not null, docker.UnavailableReason ?? "");
        var bench = Path.Combine(Repository.Root, "bench", "bin", Repository.Configuration, "net10.0", "Berth.Bench.dll");
        var (exitCode, table) = await ChildProcess.RunAsync("dotnet", [bench, "--short"], timeout: TimeSpan.FromMinutes(5));
        output.WriteLine(table);

        Assert.True(exitCode == 0, table);
        var rows = table.Split('\n').Where(line => line.StartsWith("| ", StringComparison.Ordinal) && !line.StartsWith("| measurement", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, rows.Count);
        Assert.All(rows, row =>
        {
            var p50 = row.Split('|', StringSplitOptions.TrimEntries)[3];
            Assert.True(double.TryParse(p50, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds > 0, $"no figure in: {row}");
        });
    }
}
