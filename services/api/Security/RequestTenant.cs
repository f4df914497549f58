namespace Berth.Api.Security;

/// <summary>
/// The tenant of the request being served, as <see cref="ApiKeyAuthentication"/> found it. Every
/// request the api sends the planner names it, and the planner answers as if other tenants'
/// records did not exist.
/// </summary>
public sealed class RequestTenant(IHttpContextAccessor http)
{
    public string Id => http.HttpContext?.Items[ApiKeyAuthentication.TenantItem] as string
        ?? throw new InvalidOperationException("This request has no tenant: it did not pass through API key authentication.");
}
