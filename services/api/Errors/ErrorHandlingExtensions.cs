using Berth.Contracts;
using Microsoft.AspNetCore.Diagnostics;

namespace Berth.Api.Errors;

internal static partial class ErrorHandlingExtensions
{
    /// <summary>
    /// Whatever goes wrong, a client gets OpenAI's error shape: SDKs parse it into their own
    /// exception types, and a bare HTML error page would surface as a confusing parse failure.
    /// </summary>
    public static WebApplication UseOpenAIErrors(this WebApplication app)
    {
        app.UseExceptionHandler(handler => handler.Run(async context =>
        {
            var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Berth.Api.Errors");
            LogUnhandled(logger, context.Request.Method, context.Request.Path, exception);
            var error = exception is BadHttpRequestException bad
                ? new ApiError(bad.StatusCode, $"The request could not be read: {bad.Message}", RequestErrorCodes.InvalidRequestError, null, null)
                : new ApiError(StatusCodes.Status500InternalServerError, "The server had an error while processing your request.", ErrorCodes.ServerError, null, null);
            await error.ToResult().ExecuteAsync(context);
        }));

        app.UseStatusCodePages(async status =>
        {
            var context = status.HttpContext;
            var error = context.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => ApiError.NotFound($"Invalid URL ({context.Request.Method} {context.Request.Path})."),
                StatusCodes.Status405MethodNotAllowed => new ApiError(405, $"Method {context.Request.Method} is not allowed on {context.Request.Path}.", RequestErrorCodes.InvalidRequestError, null, "method_not_allowed"),
                var code => new ApiError(code, $"The request failed with status {code}.", RequestErrorCodes.InvalidRequestError, null, null),
            };
            await error.ToResult().ExecuteAsync(context);
        });

        return app;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception? exception);
}
