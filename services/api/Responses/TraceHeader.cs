using Berth.Contracts;

namespace Berth.Api.Responses;

/// <summary><c>X-Berth-Trace-Id</c>: the trace of a response's run, so a client can open it in Jaeger.</summary>
internal static class TraceHeader
{
    public const string Name = "X-Berth-Trace-Id";

    public static void Set(HttpContext? http, ResponseSnapshot response)
    {
        if (http is not null && response.TraceId is { } traceId && !http.Response.HasStarted)
        {
            http.Response.Headers[Name] = traceId;
        }
    }
}
