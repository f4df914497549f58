using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.ServiceDefaults;

/// <summary>
/// Who may read <c>/health</c> and <c>/metrics</c>. They tell queue depths, response counts,
/// model latencies and which dependency is down: an operator's business, not a tenant's.
/// <list type="bullet">
/// <item>With <c>Management:Port</c> set (<c>Management__Port=8081</c>), they are served only on
/// connections to that port, and nothing else is served there: publish the service's own port,
/// and keep the management one for Prometheus and the load balancer. The decision follows the
/// port the connection arrived on, never the <c>Host</c> header, which a client chooses.</item>
/// <item>Without it, a service that tenants reach (the api with API keys) serves them to this
/// machine only (loopback peers); the others serve them on their port, as they serve nothing
/// else to tenants.</item>
/// </list>
/// Hand-written because ASP.NET Core's <c>RequireHost</c> matches the <c>Host</c> header.
/// </summary>
public sealed class ManagementAccess(int? port, bool tenantFacing)
{
    public const string PortSetting = "Management:Port";

    public int? Port => port;

    public static ManagementAccess From(IConfiguration configuration, bool tenantFacing) =>
        new(configuration.GetValue<int?>(PortSetting) is { } port and > 0 ? port : null, tenantFacing);

    public static bool IsManagementPath(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics");

    /// <summary>Whether a request for <paramref name="path"/> that arrived on <paramref name="localPort"/> from <paramref name="remote"/> is served.</summary>
    public bool Serves(PathString path, int localPort, IPAddress? remote)
    {
        var management = IsManagementPath(path);
        if (port is { } managementPort)
        {
            return management == (localPort == managementPort);
        }

        return !management || !tenantFacing || (remote is not null && ListenAddresses.IsLoopback(remote));
    }

    /// <summary>Answers 404 for what this connection may not read; stops the service when the management port is not one it listens on.</summary>
    public void Apply(WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (Serves(context.Request.Path, context.Connection.LocalPort, context.Connection.RemoteIpAddress))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });

        if (port is { } managementPort)
        {
            app.Lifetime.ApplicationStarted.Register(() =>
            {
                var bound = ListenAddresses.Bound(app.Services);
                if (!bound.Any(address => ListenAddresses.Parse(address)?.Port == managementPort))
                {
                    app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Berth.Management").LogCritical(
                        "{Setting} is {Port}, but the service listens on {Addresses} only, so health and metrics would be served nowhere. Add http://+:{Port} to ASPNETCORE_URLS.",
                        PortSetting, managementPort, string.Join(", ", bound), managementPort);
                    Environment.ExitCode = 1;
                    app.Lifetime.StopApplication();
                }
            });
        }
    }
}
