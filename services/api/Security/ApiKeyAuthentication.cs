using Berth.Contracts;
using Berth.Api.Errors;

namespace Berth.Api.Security;

/// <summary>
/// Every <c>/v1</c> request needs <c>Authorization: Bearer &lt;key&gt;</c> when keys are
/// configured, and gets 401 in OpenAI's shape without one. The tenant of the key travels on in
/// <see cref="HttpContext.Items"/>. With no keys at all, the api listens on loopback only (see
/// <see cref="SecurityExtensions"/>) and every request belongs to the tenant <c>local</c>.
/// </summary>
public sealed class ApiKeyAuthentication(RequestDelegate next, ApiKeys keys)
{
    public const string TenantItem = "berth.tenant";
    public const string LocalTenant = "local";

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1"))
        {
            return next(context);
        }

        if (keys.IsEmpty)
        {
            // Without keys the api serves this machine only, whatever it was bound to: a request
            // that arrived on another address is refused even in the moment before a wrong
            // binding stops the api.
            if (context.Connection.LocalIpAddress is { } local && !Berth.ServiceDefaults.ListenAddresses.IsLoopback(local))
            {
                return Unauthorized(context, "This api has no API keys configured and serves this machine only.", "invalid_api_key");
            }

            context.Items[TenantItem] = LocalTenant;
            return next(context);
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= "Bearer ".Length)
        {
            return Unauthorized(context, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", null);
        }

        var tenant = keys.TenantOf(header["Bearer ".Length..].Trim());
        if (tenant is null)
        {
            return Unauthorized(context, "Incorrect API key provided.", "invalid_api_key");
        }

        context.Items[TenantItem] = tenant;
        return next(context);
    }

    private static Task Unauthorized(HttpContext context, string message, string? code)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return new ApiError(StatusCodes.Status401Unauthorized, message, RequestErrorCodes.InvalidRequestError, null, code).ToResult().ExecuteAsync(context);
    }
}
