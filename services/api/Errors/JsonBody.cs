using System.Text.Json;
using Berth.Contracts;

namespace Berth.Api.Errors;

/// <summary>
/// Reads a request's JSON body for the endpoints that take one: at most
/// <see cref="ApiOptions.MaxJsonBodyBytes"/>, valid UTF-8, nested no deeper than
/// <see cref="MaxDepth"/>, with no string that is not valid UTF-16. Anything else is a 4xx in OpenAI's shape, before any parsing of fields.
/// </summary>
internal static class JsonBody
{
    public const int MaxDepth = 64;

    public static async Task<(JsonDocument? Document, ApiError? Error)> ReadAsync(HttpRequest http, int maxBytes, CancellationToken cancellationToken)
    {
        if (http.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, TooLarge(maxBytes));
            }

            await buffer.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
        }

        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Span))
        {
            return (null, ApiError.InvalidRequest("We could not parse the JSON body of your request: it is not valid UTF-8.", null, "invalid_json"));
        }

        try
        {
            var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = MaxDepth });
            if (LoneSurrogates.Find(document.RootElement) is { } invalid)
            {
                document.Dispose();
                return (null, invalid);
            }

            return (document, null);
        }
        catch (JsonException e)
        {
            return (null, ApiError.InvalidRequest(
                $"We could not parse the JSON body of your request: {e.Message} The API expects a JSON object, nested at most {MaxDepth} levels deep.",
                null, "invalid_json"));
        }
    }

    private static ApiError TooLarge(int maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, $"The request body is larger than the {maxBytes} bytes this API accepts.", RequestErrorCodes.InvalidRequestError, null, "request_too_large");
}
