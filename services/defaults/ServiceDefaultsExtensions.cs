using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Berth.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>What every Berth service sets up the same way.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;

            // The scopes carry the trace and span ids (and MassTransit's message ids), so a log line leads to its trace.
            console.IncludeScopes = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });

        builder.AddBerthTelemetry();

        // Options are validated when the host starts, so a bad setting stops the service at once.
        builder.Services.AddOptions();
        return builder;
    }

    /// <summary>Binds a section to an options class and validates it (data annotations) at start-up.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IHostApplicationBuilder builder, string section)
        where T : class
    {
        return builder.Services.AddOptions<T>()
            .Bind(builder.Configuration.GetSection(section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
    }
}
