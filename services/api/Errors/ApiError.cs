namespace Berth.Api.Errors;

/// <summary>An error in OpenAI's shape: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
public sealed record ApiError(int Status, string Message, string Type, string? Param, string? Code)
{
    public static ApiError InvalidRequest(string message, string? param = null, string? code = null) =>
        new(StatusCodes.Status400BadRequest, message, "invalid_request_error", param, code);

    public static ApiError NotFound(string message) =>
        new(StatusCodes.Status404NotFound, message, "invalid_request_error", null, null);

    public static ApiError Unavailable(string message, string code = "planner_unavailable") =>
        new(StatusCodes.Status503ServiceUnavailable, message, "server_error", null, code);

    /// <summary>A stored content the payload store does not have: most often services that do not share one.</summary>
    public static ApiError PayloadMissing() =>
        new(StatusCodes.Status500InternalServerError, "The file's content is not in the payload store; do all services share one (Payloads__Directory or ConnectionStrings__mongodb)?",
            "server_error", null, Berth.Contracts.ErrorCodes.PayloadUnavailable);

    public IResult ToResult() => Results.Json(
        new { error = new { message = Message, type = Type, param = Param, code = Code } },
        statusCode: Status);
}
