using System.Buffers.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Api.Errors;
using Berth.Contracts;
using static Berth.Api.Responses.JsonFields;

namespace Berth.Api.Responses;

/// <summary>
/// Reads an <c>input_image</c> part: an http(s) URL, which the model's host fetches (Berth never
/// does), a <c>data:</c> URL of a PNG, JPEG, GIF or WebP image in base64, bounded by the body
/// limit, or the <c>file_id</c> of an image uploaded to <c>/v1/files</c>, which the api checks
/// and the planner sends to the model as its bytes.
/// </summary>
internal static partial class ImageParts
{
    /// <summary>Longer than any image link a client means to send; a data URL is bounded by the body instead.</summary>
    public const int MaxUrlLength = 8192;

    public static ContentPart Parse(JsonElement part, string path)
    {
        RefuseCacheBreakpoint(part, path);

        var detail = OptionalString(part, "detail", path) ?? "auto";
        if (detail is not ("low" or "high" or "auto"))
        {
            throw detail == "original"
                ? Invalid($"'{path}.detail': 'original' is not supported: the chat API takes 'low', 'high' or 'auto'.", $"{path}.detail", RequestErrorCodes.UnsupportedParameter)
                : Invalid($"Invalid value for '{path}.detail': '{Shortened(detail)}'. Supported values are: 'low', 'high', 'auto'.", $"{path}.detail", RequestErrorCodes.InvalidValue);
        }

        var fileId = OptionalString(part, "file_id", path);
        var url = OptionalString(part, "image_url", path);
        if ((fileId is null) == (url is null))
        {
            throw Invalid($"'{path}' must give exactly one of 'image_url' and 'file_id'.", $"{path}.image_url", fileId is null ? RequestErrorCodes.MissingRequiredParameter : RequestErrorCodes.InvalidValue);
        }

        if (fileId is not null)
        {
            return IdFormat.IsFileId(fileId)
                ? new ContentPart { Type = ContentPart.InputImage, FileId = fileId, Detail = detail }
                : throw Invalid($"Invalid '{path}.file_id': '{Shortened(fileId)}'. Expected a file id ({IdFormat.FileIdShape}).", $"{path}.file_id", RequestErrorCodes.InvalidValue);
        }

        if (url!.StartsWith("data:", StringComparison.Ordinal))
        {
            var match = DataUrl().Match(url);
            if (!match.Success || !Base64.IsValid(url.AsSpan(match.Length)))
            {
                throw Invalid($"Invalid '{path}.image_url': a data URL must be 'data:image/png', 'image/jpeg', 'image/gif' or 'image/webp', then ';base64,' and the image in base64.", $"{path}.image_url", RequestErrorCodes.InvalidValue);
            }
        }
        else if (url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
        {
            throw Invalid($"Invalid '{path}.image_url': '{Shortened(url)}'. Give an http or https URL of at most {MaxUrlLength} characters, or a data URL.", $"{path}.image_url", RequestErrorCodes.InvalidValue);
        }

        return new ContentPart { Type = ContentPart.InputImage, ImageUrl = url, Detail = detail };
    }

    /// <summary>A content part's <c>prompt_cache_breakpoint</c>, which Berth cannot set, refused by name.</summary>
    internal static void RefuseCacheBreakpoint(JsonElement part, string path)
    {
        if (Optional(part, "prompt_cache_breakpoint") is { ValueKind: not JsonValueKind.Null })
        {
            throw Invalid($"'{path}.prompt_cache_breakpoint' is not supported: Berth does not set prompt cache breakpoints.", $"{path}.prompt_cache_breakpoint", RequestErrorCodes.UnsupportedParameter);
        }
    }

    /// <summary>What a data URL of an image starts with; the rest is the base64.</summary>
    [GeneratedRegex("^data:image/(png|jpeg|gif|webp);base64,")]
    public static partial Regex DataUrl();

    /// <summary>The media type of an image the chat API takes, from its first bytes (at least 12); null for anything else.</summary>
    public static string? Sniff(ReadOnlySpan<byte> head) => head switch
    {
        [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [(byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'7' or (byte)'9', (byte)'a', ..] => "image/gif",
        [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => "image/webp",
        _ => null,
    };
}
