using Berth.Contracts;

namespace Berth.Api.Errors;

/// <summary>An error in OpenAI's shape: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
internal sealed record ApiError(int Status, string Message, string Type, string? Param, string? Code)
{
    public static ApiError InvalidRequest(string message, string? param = null, string? code = null) =>
        new(StatusCodes.Status400BadRequest, message, RequestErrorCodes.InvalidRequestError, param, code);

    public static ApiError NotFound(string message) =>
        new(StatusCodes.Status404NotFound, message, RequestErrorCodes.InvalidRequestError, null, null);

    public static ApiError Unavailable(string message, string code = ErrorCodes.PlannerUnavailable) =>
        new(StatusCodes.Status503ServiceUnavailable, message, ErrorCodes.ServerError, null, code);

    /// <summary>A stored content the payload store does not have: most often services that do not share one.</summary>
    public static ApiError PayloadMissing() =>
        new(StatusCodes.Status500InternalServerError, "The file's content is not in the payload store; do all services share one (Payloads__Directory or ConnectionStrings__mongodb)?",
            ErrorCodes.ServerError, null, ErrorCodes.PayloadUnavailable);

    public IResult ToResult() => Results.Json(
        new { error = new { message = Message, type = Type, param = Param, code = Code } },
        statusCode: Status);
}
