using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Berth.ServiceDefaults;

/// <summary>Traces, metrics, logs and health, the same way in every service.</summary>
public static class ObservabilityExtensions
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    /// <summary>
    /// OpenTelemetry for traces, metrics and logs, configured by the standard <c>OTEL_*</c>
    /// variables. Nothing leaves the process unless <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and
    /// spans are only recorded then; metrics are always served at <c>/metrics</c> for Prometheus.
    /// </summary>
    public static IHostApplicationBuilder AddBerthTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Logging.Configure(options =>
            options.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        builder.Logging.AddOpenTelemetry(logs =>
        {
            logs.IncludeFormattedMessage = true;
            logs.IncludeScopes = true;
        });

        var exporting = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Environment.ApplicationName))
            .WithTracing(tracing =>
            {
                tracing
                    .AddSource(BerthTelemetry.Name, "MassTransit")
                    .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = http => !ManagementAccess.IsManagementPath(http.Request.Path))
                    .AddHttpClientInstrumentation();

                // Spans that no exporter will read are not recorded: recording them costs CPU at
                // every step of every tool call, for nothing. Trace ids are still made and carried
                // across the bus, so logs stay correlated. OTEL_TRACES_SAMPLER, when set, decides.
                if (!exporting && string.IsNullOrWhiteSpace(builder.Configuration["OTEL_TRACES_SAMPLER"]))
                {
                    tracing.SetSampler(new AlwaysOffSampler());
                }
            })
            .WithMetrics(metrics => metrics
                .AddMeter(BerthTelemetry.Name, "MassTransit")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());

        if (exporting)
        {
            telemetry.UseOtlpExporter();
        }

        builder.Services.AddHealthChecks().AddCheck("process", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// <c>/health/live</c> (the process answers), <c>/health/ready</c> (its broker, and whatever
    /// else it registered as ready checks, answer) and <c>/metrics</c>, to those
    /// <see cref="ManagementAccess"/> lets read them.
    /// </summary>
    /// <param name="tenantFacing">Tenants reach this service (the api with API keys).</param>
    public static WebApplication MapServiceDefaults(this WebApplication app, bool tenantFacing = false)
    {
        ManagementAccess.From(app.Configuration, tenantFacing).Apply(app);
        // Open to every caller ManagementAccess lets through, API key or not: they hold no tenant's data.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),

            // A bus that is reconnecting reports itself degraded: not ready for traffic.
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
            ResponseWriter = WriteReportAsync,
        }).AllowAnonymous();
        app.MapPrometheusScrapingEndpoint().AllowAnonymous();
        return app;
    }

    /// <summary>Each check's status and reason, so an operator sees which dependency is missing.</summary>
    private static Task WriteReportAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return http.Response.Body.WriteAsync(ReportJson(report)).AsTask();
    }

    private static byte[] ReportJson(HealthReport report) => JsonSerializer.SerializeToUtf8Bytes(
        new HealthReportObject(report.Status.ToString(), report.Entries.ToDictionary(e => e.Key, e => new HealthCheckObject(e.Value.Status.ToString(), e.Value.Description))),
        HealthReportJsonContext.Default.HealthReportObject);
}
