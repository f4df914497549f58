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

    public IResult ToResult() => Results.Json(
        new { error = new { message = Message, type = Type, param = Param, code = Code } },
        statusCode: Status);
}
