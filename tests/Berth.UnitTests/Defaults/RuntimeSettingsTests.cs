using System.Text.Json;

namespace Berth.UnitTests.Defaults;

public sealed class RuntimeSettingsTests
{
    /// <summary>The services' runtime settings, as the build writes them beside each service (and into its image).</summary>
    [Theory]
    [InlineData("Berth.Api")]
    [InlineData("Berth.Planner")]
    [InlineData("Berth.Executor")]
    public void Should_run_a_service_without_tiered_PGO_when_built(string service)
    {
        var path = Path.Combine(AppContext.BaseDirectory, service + ".runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));

        var settings = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(settings.TryGetProperty("System.Runtime.TieredPGO", out var pgo), $"{service} leaves tiered PGO at the runtime's default (on).");
        Assert.False(pgo.GetBoolean());
    }
}
