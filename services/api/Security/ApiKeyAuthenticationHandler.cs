using System.Security.Claims;
using System.Text.Encodings.Web;
using Berth.Api.Errors;
using Berth.Contracts;
using Berth.ServiceDefaults;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Berth.Api.Security;

/// <summary>
/// ASP.NET Core authentication by OpenAI's <c>Authorization: Bearer &lt;key&gt;</c>: a key of
/// <see cref="ApiKeys"/> makes a principal whose <see cref="TenantClaim"/> names its tenant, and a
/// request without one is challenged with a 401 in OpenAI's shape. With no keys at all, the api
/// serves this machine only (see <see cref="SecurityExtensions"/>) and every request from
/// loopback belongs to the tenant <c>local</c>.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeys keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "BerthApiKey";
    public const string TenantClaim = "berth:tenant";
    public const string LocalTenant = "local";

    private const string NotThisMachine = "This api has no API keys configured and serves this machine only.";
    private const string Incorrect = "Incorrect API key provided.";
    private const string Missing = "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (keys.IsEmpty)
        {
            // Even in the moment before a wrong binding stops the api, a request that arrived on
            // another address than loopback is refused.
            return Task.FromResult(Context.Connection.LocalIpAddress is { } local && !ListenAddresses.IsLoopback(local)
                ? AuthenticateResult.Fail(NotThisMachine)
                : Success(LocalTenant));
        }

        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= "Bearer ".Length)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        return Task.FromResult(keys.TenantOf(header["Bearer ".Length..].Trim()) is { } tenant ? Success(tenant) : AuthenticateResult.Fail(Incorrect));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.Headers.WWWAuthenticate = "Bearer";
        await new ApiError(StatusCodes.Status401Unauthorized, failure ?? Missing, RequestErrorCodes.InvalidRequestError, null,
            failure is null ? null : "invalid_api_key").ToResult().ExecuteAsync(Context);
    }

    private static AuthenticateResult Success(string tenant) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(TenantClaim, tenant)], SchemeName)), SchemeName));
}
