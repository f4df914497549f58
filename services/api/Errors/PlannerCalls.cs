using Berth.Contracts;
using MassTransit;

namespace Berth.Api.Errors;

/// <summary>Calls over the bus that may time out: a silent planner or executor is a 503 in OpenAI's shape, never a 500.</summary>
public static class PlannerCalls
{
    public static async Task<IResult> Guard(Func<Task<IResult>> call, string whenTimedOut, string code = ErrorCodes.PlannerUnavailable)
    {
        try
        {
            return await call();
        }
        catch (RequestTimeoutException)
        {
            return ApiError.Unavailable(whenTimedOut, code).ToResult();
        }
    }
}
