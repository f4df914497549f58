namespace Berth.Api.Security;

/// <summary>
/// The tenant of the request being served, as <see cref="ApiKeyAuthenticationHandler"/> found it. Every
/// request the api sends the planner names it, and the planner answers as if other tenants'
/// records did not exist.
/// </summary>
internal sealed class RequestTenant(IHttpContextAccessor http)
{
    public string Id => http.HttpContext?.User.FindFirst(ApiKeyAuthenticationHandler.TenantClaim)?.Value
        ?? throw new InvalidOperationException("This request has no tenant: it did not pass through API key authentication.");
}
