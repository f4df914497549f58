using Berth.Api.Errors;
using Berth.Api.Security;
using Berth.Contracts;
using Berth.ServiceDefaults.Payloads;
using MassTransit;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Options;

namespace Berth.Api.Responses;

/// <summary>
/// Finds the uploaded files a request's input sends to the model (<c>input_image</c> and
/// <c>input_file</c> by <c>file_id</c>) before anything is queued: an id that names none of the
/// tenant's files, an image that is not one, or more bytes than a model request carries, is a
/// 400 naming the part. Each part then holds where its bytes are and their media type, so the
/// planner sends them to the model without asking again.
/// </summary>
internal sealed class InputFiles(PlannerClient planner, PayloadStore payloads, RequestTenant tenant)
{
    /// <summary>
    /// The bytes of uploaded files one request may send to the model: OpenAI's own limit for
    /// files in a request. Each goes base64-encoded in every model call of the response.
    /// </summary>
    public const long MaxBytes = 32L * 1024 * 1024;

    private static readonly FileExtensionContentTypeProvider MediaTypes = new();

    /// <exception cref="RequestTimeoutException">The planner did not answer in time.</exception>
    /// <param name="root">The array the items came in, for the parameter an error names (<c>input</c>, or a conversation's <c>items</c>).</param>
    public async Task<(IReadOnlyList<InputMessage>? Input, ApiError? Error)> ResolveAsync(IReadOnlyList<InputMessage> input, CancellationToken cancellationToken, string root = "input")
    {
        if (!input.Any(message => message.Parts?.Any(part => part.FileId is not null) == true))
        {
            return (input, null);
        }

        var resolved = new List<InputMessage>(input.Count);
        long total = 0;
        foreach (var (message, i) in input.Select((message, i) => (message, i)))
        {
            if (message.Parts is not { } parts || !parts.Any(part => part.FileId is not null))
            {
                resolved.Add(message);
                continue;
            }

            var found = new List<ContentPart>(parts.Count);
            foreach (var (part, j) in parts.Select((part, j) => (part, j)))
            {
                var param = $"{root}[{i}].content[{j}].file_id";
                if (part.FileId is null)
                {
                    found.Add(part);
                    continue;
                }

                var reply = await planner.Ask<GetFile>().GetResponse<FileSnapshot, FileNotFound>(new GetFile(part.FileId) { Tenant = tenant.Id }, cancellationToken);
                if (!reply.Is(out Response<FileSnapshot>? file))
                {
                    return (null, ApiError.InvalidRequest($"No such File object: {part.FileId}", param, RequestErrorCodes.InvalidValue));
                }

                total += file.Message.Bytes;
                if (total > MaxBytes)
                {
                    return (null, ApiError.InvalidRequest($"Invalid '{param}': the files of one request's input may hold {MaxBytes / (1024 * 1024)} MiB in all, and {part.FileId} goes past that.", param, RequestErrorCodes.InvalidValue));
                }

                string? mediaType;
                try
                {
                    mediaType = part.Type == ContentPart.InputImage
                        ? await ImageTypeAsync(file.Message, cancellationToken)
                        : MediaTypes.TryGetContentType(file.Message.Filename, out var byName) ? byName : "application/octet-stream";
                }
                catch (MessageDataNotFoundException)
                {
                    return (null, ApiError.PayloadMissing());
                }

                if (mediaType is null)
                {
                    return (null, ApiError.InvalidRequest($"Invalid '{param}': {part.FileId} ('{file.Message.Filename}') is not a PNG, JPEG, GIF or WebP image. Send it as an 'input_file' instead.", param, RequestErrorCodes.InvalidValue));
                }

                found.Add(part with
                {
                    ContentAddress = file.Message.ContentAddress,
                    MediaType = mediaType,
                    Filename = part.Type == ContentPart.InputFile ? part.Filename ?? file.Message.Filename : null,
                });
            }

            resolved.Add(message with { Parts = found });
        }

        return (resolved, null);
    }

    /// <summary>An image's media type from its first bytes, which say what it is whatever its name says.</summary>
    private async Task<string?> ImageTypeAsync(FileSnapshot file, CancellationToken cancellationToken)
    {
        await using var content = await payloads.OpenAsync(file.ContentAddress, cancellationToken);
        var head = new byte[12];
        var read = await content.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        return ImageParts.Sniff(head.AsSpan(0, read));
    }
}
