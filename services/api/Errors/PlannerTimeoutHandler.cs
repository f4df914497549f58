using Berth.Contracts;
using MassTransit;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Berth.Api.Errors;

/// <summary>
/// A request over the bus that no planner (or executor) answered in time is a 503 in OpenAI's
/// shape, <c>planner_unavailable</c>, never a 500: the client may simply try again. The places
/// that can do better (a stream that keeps waiting, an upload that cleans up) catch the timeout
/// themselves.
/// </summary>
internal sealed partial class PlannerTimeoutHandler(IOptions<ApiOptions> options, ILogger<PlannerTimeoutHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not RequestTimeoutException || httpContext.Response.HasStarted)
        {
            return false;
        }

        LogTimedOut(httpContext.Request.Method, httpContext.Request.Path);
        await ApiError.Unavailable($"No planner answered within {options.Value.PlannerTimeoutSeconds} s. Try again in a moment.", ErrorCodes.PlannerUnavailable)
            .ToResult().ExecuteAsync(httpContext);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path}: no planner answered in time; answered 503")]
    private partial void LogTimedOut(string method, string path);
}
