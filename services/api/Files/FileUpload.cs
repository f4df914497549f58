using System.Globalization;
using System.Text;
using Berth.Api.Errors;
using Berth.Api.Security;
using Berth.Contracts;
using Berth.ServiceDefaults.Payloads;
using MassTransit;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Berth.Api.Files;

/// <summary>
/// <c>POST /v1/files</c>: the multipart body is read part by part, and the file's part goes
/// straight into the payload store, never whole into memory or a temporary file (as
/// <c>ReadFormAsync</c> would put it), at most <see cref="ApiOptions.MaxFileBytes"/>. Then the
/// planner keeps the record. Whatever is refused after the bytes are stored, they are deleted.
/// </summary>
internal sealed class FileUpload(PlannerClient planner, PayloadStore payloads, IOptions<ApiOptions> options, RequestTenant tenant, TimeProvider time)
{
    /// <summary>The parts besides the file's bytes: the other fields and every part's headers.</summary>
    private const int FormOverheadBytes = 64 * 1024;

    private const int MaxFieldLength = 256;
    private const int MaxFilenameBytes = 255;

    /// <summary>OpenAI's bounds for <c>expires_after.seconds</c>: an hour to thirty days.</summary>
    public const int MinExpirySeconds = 3600;
    public const int MaxExpirySeconds = 2_592_000;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly string[] Fields = ["purpose", "expires_after[anchor]", "expires_after[seconds]"];

    public async Task<IResult> UploadAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        var cap = options.Value.MaxFileBytes;
        if (http.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = cap + FormOverheadBytes;
        }

        if (http.ContentLength > cap + FormOverheadBytes)
        {
            return TooLarge(cap);
        }

        if (!MediaTypeHeaderValue.TryParse(http.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            return Invalid("Upload the file as multipart/form-data, with the fields 'file' and 'purpose'.", "file");
        }

        var reader = new MultipartReader(boundary, http.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 16 * 1024 };
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        (Uri Address, string Name, long Bytes)? stored = null;
        var kept = false;
        var storing = false;
        try
        {
            for (var section = await reader.ReadNextSectionAsync(cancellationToken); section is not null; section = await reader.ReadNextSectionAsync(cancellationToken))
            {
                if (FormPart.Read(section.ContentDisposition) is not { Name: var name } formPart)
                {
                    return Invalid("Every part of the form needs a Content-Disposition of form-data with a name.", "file");
                }

                if (name == "file" && formPart.FileName is { } filename)
                {
                    if (stored is not null)
                    {
                        return Invalid("Give one 'file'.", "file");
                    }

                    if (FilenameProblem(filename) is { } problem)
                    {
                        return Invalid(problem, "file");
                    }

                    var part = new UploadedPart(section.Body, cap);
                    try
                    {
                        storing = true;
                        stored = (await payloads.KeepAsync(part, cancellationToken), filename, part.Count);
                        storing = false;
                    }
                    catch (Exception) when (part.TooLarge)
                    {
                        return TooLarge(cap);
                    }
                    catch (Exception e) when (part.BodyFailed)
                    {
                        return Invalid($"The multipart body could not be read: {e.Message}", "file");
                    }
                }
                else if (Fields.Contains(name) && !fields.ContainsKey(name))
                {
                    if (await ReadFieldAsync(section.Body, cancellationToken) is not { } value)
                    {
                        return Invalid($"Invalid '{name}': at most {MaxFieldLength} characters.", name);
                    }

                    fields[name] = value;
                }
                else
                {
                    var shown = name.Length <= 64 ? name : string.Concat(name.AsSpan(0, 64), "…");
                    return Invalid(fields.ContainsKey(name) ? $"Give '{shown}' once." : $"Unrecognized request argument supplied: {shown}", shown);
                }
            }

            if (stored is not { } file)
            {
                return ApiError.InvalidRequest("Missing required parameter: 'file'.", "file", RequestErrorCodes.MissingRequiredParameter).ToResult();
            }

            if (Purpose(fields) is not { } purpose)
            {
                return PurposeProblem(fields);
            }

            if (ExpiryProblem(fields, out var expirySeconds) is { } expiry)
            {
                return expiry;
            }

            var now = time.GetUtcNow();
            var snapshot = new FileSnapshot
            {
                Id = $"file-{Guid.NewGuid():N}",
                Filename = file.Name,
                Purpose = purpose,
                Bytes = file.Bytes,
                CreatedAt = now,
                ExpiresAt = expirySeconds is { } seconds ? now.AddSeconds(seconds) : null,
                Tenant = tenant.Id,
                ContentAddress = file.Address,
            };
            var created = (await planner.Ask<CreateFile>().GetResponse<FileSnapshot>(new CreateFile(snapshot), cancellationToken)).Message;
            kept = true;
            return Results.Text(FileJson.Serialize(created), "application/json");
        }
        catch (Exception e) when (e is InvalidDataException or IOException && !storing)
        {
            // A body cut short, a boundary never closed, headers past their limits.
            return Invalid($"The multipart body could not be read: {e.Message}", "file");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(cap);
        }
        finally
        {
            if (!kept && stored is { } orphan)
            {
                await payloads.DeleteAsync(orphan.Address);
            }
        }
    }

    /// <summary>Why a file name is refused: it becomes a file's name in a container's <c>/mnt/data</c>, so it must be one plain name.</summary>
    public static string? FilenameProblem(string filename)
    {
        var shown = filename.Length <= 64 ? filename : string.Concat(filename.AsSpan(0, 64), "…");
        if (string.IsNullOrWhiteSpace(filename) || filename is "." or ".." || filename.IndexOfAny(['/', '\\']) >= 0)
        {
            return $"Invalid file name '{shown}': give a plain name, without '/' or '\\'.";
        }

        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(filename);
        }
        catch (EncoderFallbackException)
        {
            return "Invalid file name: it has unpaired surrogates.";
        }

        if (filename.Any(char.IsControl))
        {
            return "Invalid file name: it has control characters.";
        }

        return bytes > MaxFilenameBytes ? $"Invalid file name '{shown}': at most {MaxFilenameBytes} bytes in UTF-8." : null;
    }

    private static string? Purpose(Dictionary<string, string> fields) =>
        fields.TryGetValue("purpose", out var purpose) && FilePurposes.Accepted.Contains(purpose) ? purpose : null;

    private static IResult PurposeProblem(Dictionary<string, string> fields)
    {
        if (!fields.TryGetValue("purpose", out var purpose))
        {
            return ApiError.InvalidRequest("Missing required parameter: 'purpose'.", "purpose", RequestErrorCodes.MissingRequiredParameter).ToResult();
        }

        var accepted = string.Join(", ", FilePurposes.Accepted.Order(StringComparer.Ordinal).Select(p => $"'{p}'"));
        return FilePurposes.Refused.Contains(purpose)
            ? Invalid($"Berth does not support purpose '{purpose}': it has no API that would use the file. Supported values are: {accepted}.", "purpose")
            : Invalid($"Invalid value for 'purpose': '{purpose}'. Supported values are: {accepted}.", "purpose");
    }

    private static IResult? ExpiryProblem(Dictionary<string, string> fields, out int? seconds)
    {
        seconds = null;
        var hasAnchor = fields.TryGetValue("expires_after[anchor]", out var anchor);
        var hasSeconds = fields.TryGetValue("expires_after[seconds]", out var given);
        if (!hasAnchor && !hasSeconds)
        {
            return null;
        }

        if (anchor != "created_at")
        {
            return Invalid("Invalid 'expires_after.anchor': expected 'created_at'.", "expires_after.anchor");
        }

        if (!int.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed is < MinExpirySeconds or > MaxExpirySeconds)
        {
            return Invalid($"Invalid 'expires_after.seconds': expected an integer from {MinExpirySeconds} to {MaxExpirySeconds}.", "expires_after.seconds");
        }

        seconds = parsed;
        return null;
    }

    /// <summary>A form field's text, or null when it is longer than a field may be.</summary>
    private static async Task<string?> ReadFieldAsync(Stream body, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1024, leaveOpen: true);
        var buffer = new char[MaxFieldLength + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await reader.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        return length > MaxFieldLength ? null : new string(buffer, 0, length);
    }

    /// <summary>
    /// The file's part as the payload store reads it: counted and capped here, so that a file
    /// over the cap is stopped at its first byte too many, and with the request body's own
    /// failures (a body cut short) told apart from the store's (a full disk).
    /// </summary>
    private sealed class UploadedPart(Stream part, long cap) : Stream
    {
        public long Count { get; private set; }

        public bool TooLarge => Count > cap;

        public bool BodyFailed { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int read;
            try
            {
                read = await part.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                BodyFailed = true;
                throw;
            }

            Count += read;
            return TooLarge ? throw new InvalidDataException($"The file is larger than {cap} bytes.") : read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        // Kestrel refuses synchronous reads of a request body, and so does this.
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("An upload is read asynchronously only.");

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Count; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static IResult TooLarge(long cap) =>
        new ApiError(StatusCodes.Status413PayloadTooLarge, $"The file is larger than the {cap} bytes this Berth accepts (Api__MaxFileBytes).", RequestErrorCodes.InvalidRequestError, "file", ErrorCodes.FileTooLarge).ToResult();

    private static IResult Invalid(string message, string param) => ApiError.InvalidRequest(message, param, RequestErrorCodes.InvalidValue).ToResult();
}
