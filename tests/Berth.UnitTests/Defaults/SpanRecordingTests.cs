using System.Diagnostics;
using Berth.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace Berth.UnitTests.Defaults;

/// <summary>
/// Spans cost time on every tool call; they are recorded only when something will read them,
/// and trace ids are made either way, so logs and the response's trace id stay correlated.
/// </summary>
public sealed class SpanRecordingTests
{
    [Theory]
    [InlineData(null, null, false)]
    [InlineData("http://127.0.0.1:9", null, true)]
    [InlineData(null, "always_on", true)]
    public void Should_record_spans_only_when_exported_or_asked_for_when_telemetry_is_configured(string? endpoint, string? sampler, bool recorded)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint;
        builder.Configuration["OTEL_TRACES_SAMPLER"] = sampler;
        builder.AddBerthTelemetry();
        using var host = builder.Build();
        _ = host.Services.GetRequiredService<TracerProvider>();

        using var activity = BerthTelemetry.Source.StartActivity("probe");

        Assert.NotNull(activity);
        Assert.NotEqual(default, activity.TraceId);
        Assert.Equal(recorded, activity.Recorded);
        Assert.Equal(recorded, activity.IsAllDataRequested);
    }
}
