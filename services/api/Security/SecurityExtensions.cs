using System.Net;
using Berth.ServiceDefaults;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace Berth.Api.Security;

internal static partial class SecurityExtensions
{
    /// <summary>
    /// Reads the API keys. Without any, the api refuses to listen beyond this machine: an open
    /// agent runtime on a network would run anyone's commands.
    /// </summary>
    public static IHostApplicationBuilder AddApiKeys(this WebApplicationBuilder builder)
    {
        var keys = ApiKeys.From(builder.Configuration);
        builder.Services.AddSingleton(keys);
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);

        // Every endpoint needs a tenant; the operator's probes (/health, /metrics) say otherwise.
        builder.Services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName)
            .RequireClaim(ApiKeyAuthenticationHandler.TenantClaim).Build());
        builder.Services.AddTenantRateLimits();
        if (keys.IsEmpty)
        {
            var urls = (builder.Configuration["urls"] ?? builder.Configuration["ASPNETCORE_URLS"] ?? "http://localhost:5000")
                .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var open = urls.Where(url => !IsLoopback(url)).ToList();
            if (open.Count > 0)
            {
                throw new InvalidOperationException(
                    $"No API keys are configured (BERTH_API_KEYS or BERTH_API_KEYS_FILE), yet the api would listen on {string.Join(", ", open)}, beyond this machine. "
                    + "Configure keys, or listen on loopback only (for example ASPNETCORE_URLS=http://127.0.0.1:8080).");
            }
        }

        return builder;
    }

    /// <summary>Tenants reach this api over a network: it has their keys.</summary>
    public static bool HasApiKeys(this WebApplication app) => !app.Services.GetRequiredService<ApiKeys>().IsEmpty;

    public static WebApplication UseApiKeys(this WebApplication app)
    {
        var keys = app.Services.GetRequiredService<ApiKeys>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Berth.Api.Security");
        if (keys.IsEmpty)
        {
            LogNoKeys(logger);

            // The settings read before start-up are not the only way to bind (ASPNETCORE_HTTP_PORTS,
            // Kestrel:Endpoints): what Kestrel actually bound decides.
            app.Lifetime.ApplicationStarted.Register(() => StopIfListeningBeyondLoopback(app, logger));
        }
        else
        {
            LogKeys(logger, keys.Count);
        }

        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    private static void StopIfListeningBeyondLoopback(WebApplication app, ILogger logger)
    {
        var bound = ListenAddresses.Bound(app.Services);
        var open = bound.Where(url => !IsLoopback(url)).ToList();
        if (open.Count == 0)
        {
            return;
        }

        LogOpenWithoutKeys(logger, string.Join(", ", open));
        Environment.ExitCode = 1;
        app.Lifetime.StopApplication();
    }

    private static bool IsLoopback(string url)
    {
        var host = ListenAddresses.Parse(url)?.Host ?? "";
        return host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "NO API KEYS: anyone who can reach this api may run commands. It listens on loopback only. Set BERTH_API_KEYS=tenant:key (or BERTH_API_KEYS_FILE) to serve a network.")]
    private static partial void LogNoKeys(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "No API keys are configured (BERTH_API_KEYS or BERTH_API_KEYS_FILE), yet the api listens on {Addresses}, beyond this machine; stopping. Configure keys, or listen on loopback only")]
    private static partial void LogOpenWithoutKeys(ILogger logger, string addresses);

    [LoggerMessage(Level = LogLevel.Information, Message = "API keys: {Count} configured; every /v1 request needs one")]
    private static partial void LogKeys(ILogger logger, int count);
}
