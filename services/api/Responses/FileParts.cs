using System.Buffers.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Api.Errors;
using Berth.Contracts;
using static Berth.Api.Responses.JsonFields;

namespace Berth.Api.Responses;

/// <summary>
/// Reads an <c>input_file</c> part: the <c>file_id</c> of a file uploaded to <c>/v1/files</c>, or
/// the file inline as <c>file_data</c> (a <c>data:</c> URL in base64, as the SDKs send it) with
/// its <c>filename</c>. Either goes to the model as the chat API's file part; whether the model
/// reads that kind of file is the model host's to say. Berth fetches nothing, so <c>file_url</c>
/// is refused by name.
/// </summary>
internal static partial class FileParts
{
    /// <summary>Longer than any file name a model is shown.</summary>
    public const int MaxFilenameLength = 255;

    public static ContentPart Parse(JsonElement part, string path)
    {
        ImageParts.RefuseCacheBreakpoint(part, path);
        if (Optional(part, "file_url") is { ValueKind: not JsonValueKind.Null })
        {
            throw Invalid($"'{path}.file_url' is not supported: Berth does not fetch URLs for the model. Upload the file to /v1/files and give its 'file_id', or send it as 'file_data'.",
                $"{path}.file_url", RequestErrorCodes.UnsupportedParameter);
        }

        // The chat API's file part has no detail: only the default means what it says.
        if (OptionalString(part, "detail", path) is { } detail and not "auto")
        {
            throw detail is "low" or "high"
                ? Invalid($"'{path}.detail': '{detail}' is not supported: files go to the model through the chat API, which renders them one way. Leave it out or send 'auto'.", $"{path}.detail", RequestErrorCodes.UnsupportedParameter)
                : Invalid($"Invalid value for '{path}.detail': '{Shortened(detail)}'. Supported values are: 'auto', 'low', 'high'.", $"{path}.detail", RequestErrorCodes.InvalidValue);
        }

        var filename = OptionalString(part, "filename", path);
        if (filename is not null && (filename.Length is 0 or > MaxFilenameLength || filename.Any(char.IsControl)))
        {
            throw Invalid($"Invalid '{path}.filename': a file name has 1 to {MaxFilenameLength} characters and no control characters.", $"{path}.filename", RequestErrorCodes.InvalidValue);
        }

        var fileId = OptionalString(part, "file_id", path);
        var data = OptionalString(part, "file_data", path);
        if ((fileId is null) == (data is null))
        {
            throw Invalid($"'{path}' must give exactly one of 'file_id' and 'file_data'.", $"{path}.file_id", fileId is null ? RequestErrorCodes.MissingRequiredParameter : RequestErrorCodes.InvalidValue);
        }

        if (fileId is not null)
        {
            return IdFormat.IsFileId(fileId)
                ? new ContentPart { Type = ContentPart.InputFile, FileId = fileId, Filename = filename }
                : throw Invalid($"Invalid '{path}.file_id': '{Shortened(fileId)}'. Expected a file id ({IdFormat.FileIdShape}).", $"{path}.file_id", RequestErrorCodes.InvalidValue);
        }

        var match = DataUrl().Match(data!);
        if (!match.Success || !Base64.IsValid(data.AsSpan(match.Length)))
        {
            throw Invalid($"Invalid '{path}.file_data': expected a data URL, 'data:<media type>;base64,' and the file in base64.", $"{path}.file_data", RequestErrorCodes.InvalidValue);
        }

        return filename is null
            ? throw Invalid($"Missing required parameter: '{path}.filename'. A file sent as 'file_data' needs the name the model is shown.", $"{path}.filename", RequestErrorCodes.MissingRequiredParameter)
            : new ContentPart { Type = ContentPart.InputFile, FileData = data, Filename = filename, MediaType = match.Groups[1].Value };
    }

    /// <summary>What a data URL of a file starts with (its media type, bounded); the rest is the base64.</summary>
    [GeneratedRegex("^data:([a-z0-9][a-z0-9.+-]{0,63}/[a-z0-9][a-z0-9.+-]{0,127});base64,", RegexOptions.IgnoreCase)]
    public static partial Regex DataUrl();
}
