using System.Buffers.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Contracts;
using static Berth.Api.Responses.JsonFields;

namespace Berth.Api.Responses;

/// <summary>
/// Reads an <c>input_image</c> part: an http(s) URL, which the model's host fetches (Berth never
/// does), or a <c>data:</c> URL of a PNG, JPEG, GIF or WebP image in base64, bounded by the body
/// limit. Images by <c>file_id</c> wait for the Files API and are refused by name.
/// </summary>
public static partial class ImageParts
{
    /// <summary>Longer than any image link a client means to send; a data URL is bounded by the body instead.</summary>
    public const int MaxUrlLength = 8192;

    public static ContentPart Parse(JsonElement part, string path)
    {
        foreach (var name in new[] { "file_id", "prompt_cache_breakpoint" })
        {
            if (Optional(part, name) is { ValueKind: not JsonValueKind.Null })
            {
                throw Invalid(name == "file_id"
                        ? $"'{path}.file_id' is not supported yet: Berth has no Files API. Send the image as 'image_url', an https or data URL."
                        : $"'{path}.prompt_cache_breakpoint' is not supported: Berth does not set prompt cache breakpoints.",
                    $"{path}.{name}", "unsupported_parameter");
            }
        }

        var url = RequiredString(part, "image_url", path);
        var detail = OptionalString(part, "detail", path) ?? "auto";
        if (detail is not ("low" or "high" or "auto"))
        {
            throw detail == "original"
                ? Invalid($"'{path}.detail': 'original' is not supported: the chat API takes 'low', 'high' or 'auto'.", $"{path}.detail", "unsupported_parameter")
                : Invalid($"Invalid value for '{path}.detail': '{Shortened(detail)}'. Supported values are: 'low', 'high', 'auto'.", $"{path}.detail", "invalid_value");
        }

        if (url.StartsWith("data:", StringComparison.Ordinal))
        {
            var match = DataUrl().Match(url);
            if (!match.Success || !Base64.IsValid(url.AsSpan(match.Length)))
            {
                throw Invalid($"Invalid '{path}.image_url': a data URL must be 'data:image/png', 'image/jpeg', 'image/gif' or 'image/webp', then ';base64,' and the image in base64.", $"{path}.image_url", "invalid_value");
            }
        }
        else if (url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            throw Invalid($"Invalid '{path}.image_url': '{Shortened(url)}'. Give an http or https URL of at most {MaxUrlLength} characters, or a data URL.", $"{path}.image_url", "invalid_value");
        }

        return new ContentPart { Type = ContentPart.InputImage, ImageUrl = url, Detail = detail };
    }

    /// <summary>What a data URL of an image starts with; the rest is the base64.</summary>
    [GeneratedRegex("^data:image/(png|jpeg|gif|webp);base64,")]
    public static partial Regex DataUrl();
}
