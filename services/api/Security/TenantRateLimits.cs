using System.Globalization;
using System.Threading.RateLimiting;
using Berth.Api.Errors;
using Berth.Contracts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Berth.Api.Security;

/// <summary>
/// Requests per minute, per tenant (<see cref="ApiOptions.RequestsPerMinutePerTenant"/>; 0 is
/// no limit). Over it, a request gets 429 in OpenAI's shape with <c>Retry-After</c>, so one
/// tenant's burst cannot starve the others.
/// </summary>
internal static class TenantRateLimits
{
    public static IServiceCollection AddTenantRateLimits(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                var http = context.HttpContext;
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                var limit = http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.RequestsPerMinutePerTenant;
                await new ApiError(StatusCodes.Status429TooManyRequests,
                    $"Rate limit reached: {limit} requests per minute for your tenant. Try again in {seconds} s.", "requests", null, ErrorCodes.RateLimitExceeded)
                    .ToResult().ExecuteAsync(http);
            };
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                var limit = http.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.RequestsPerMinutePerTenant;
                if (limit == 0 || http.User.FindFirst(ApiKeyAuthenticationHandler.TenantClaim)?.Value is not { } tenant)
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }

                return RateLimitPartition.GetFixedWindowLimiter(tenant, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limit,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
        });
}
