using Berth.Api.Errors;
using Berth.Api.Security;
using Berth.Contracts;
using Berth.ServiceDefaults.Payloads;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Api.Containers;

/// <summary>
/// Files of a container: the planner says which executor holds it, and that executor does the
/// work on its own queue. A content too large for a message goes through the shared payload
/// store, and is deleted here once the executor has answered, whatever it answered.
/// </summary>
internal sealed class ContainerFilesService(
    PlannerClient planner, PayloadStore payloads, UploadedFileCopies copies, IOptions<ApiOptions> options, RequestTenant tenant)
{
    public Task<IResult> UploadAsync(string containerId, HttpRequest http, CancellationToken cancellationToken) => WithContainerAsync(containerId, async container =>
    {
        if (http.HasJsonContentType())
        {
            return await CopyUploadedAsync(container, http, cancellationToken);
        }

        if (!http.HasFormContentType)
        {
            return ApiError.InvalidRequest("Upload the file as multipart/form-data in a field named 'file', or send JSON {\"file_id\"} naming a file uploaded to /v1/files.", "file", "invalid_request").ToResult();
        }

        var form = await http.ReadFormAsync(cancellationToken);
        var file = form.Files.GetFile("file");
        if (file is null)
        {
            return ApiError.InvalidRequest("Missing required parameter: 'file'.", "file", RequestErrorCodes.MissingRequiredParameter).ToResult();
        }

        var name = file.FileName;
        if (string.IsNullOrWhiteSpace(name) || name is "." or ".." || name.IndexOfAny(['/', '\\', '\0']) >= 0)
        {
            return ApiError.InvalidRequest($"Invalid file name '{file.FileName}': give a plain name; the file is written to /mnt/data/<name>.", "file", RequestErrorCodes.InvalidValue).ToResult();
        }

        if (file.Length > options.Value.MaxUploadBytes)
        {
            return new ApiError(StatusCodes.Status413PayloadTooLarge, $"The file has {file.Length} bytes; uploads are limited to {options.Value.MaxUploadBytes}.",
                RequestErrorCodes.InvalidRequestError, "file", ErrorCodes.FileTooLarge).ToResult();
        }

        PutContainerFile put;
        await using (var content = file.OpenReadStream())
        {
            if (payloads.Fits(file.Length))
            {
                var inline = new byte[file.Length];
                await content.ReadExactlyAsync(inline, cancellationToken);
                put = new PutContainerFile { SessionId = container.SessionId, Path = name, Content = inline };
            }
            else
            {
                put = new PutContainerFile { SessionId = container.SessionId, Path = name, Content = [], ContentAddress = await payloads.PutAsync(content, cancellationToken) };
            }
        }

        try
        {
            var reply = await Executor<PutContainerFile>(container).GetResponse<ContainerFileInfo, ContainerFileFailed>(put, cancellationToken);
            return Render(container, reply, info => Json(ContainerFileJson.Serialize(container.Id, info)));
        }
        finally
        {
            // Also when the executor is late: a content found gone is then written nowhere.
            if (put.ContentAddress is { } address)
            {
                await payloads.DeleteAsync(address);
            }
        }
    }, cancellationToken);

    /// <summary><c>{"file_id"}</c>: a file uploaded to <c>/v1/files</c>, copied to <c>/mnt/data/&lt;its name&gt;</c>.</summary>
    private async Task<IResult> CopyUploadedAsync(ContainerSnapshot container, HttpRequest http, CancellationToken cancellationToken)
    {
        var (body, invalid) = await JsonBody.ReadAsync(http, options.Value.MaxJsonBodyBytes, cancellationToken);
        if (body is null)
        {
            return invalid!.ToResult();
        }

        string fileId;
        using (body)
        {
            var root = body.RootElement;
            if (root.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                return ApiError.InvalidRequest("The request body must be a JSON object.", null, RequestErrorCodes.InvalidType).ToResult();
            }

            if (root.EnumerateObject().Select(p => p.Name).FirstOrDefault(name => name != "file_id") is { } unknown)
            {
                return ApiError.InvalidRequest($"Unknown parameter: '{unknown}'.", unknown, RequestErrorCodes.UnknownParameter).ToResult();
            }

            if (!root.TryGetProperty("file_id", out var given) || given.ValueKind != System.Text.Json.JsonValueKind.String)
            {
                return ApiError.InvalidRequest("Missing required parameter: 'file_id' (a string).", "file_id", RequestErrorCodes.MissingRequiredParameter).ToResult();
            }

            fileId = given.GetString()!;
        }

        if (!IdFormat.IsFileId(fileId))
        {
            return ApiError.InvalidRequest($"Invalid 'file_id': expected a file id ({IdFormat.FileIdShape}).", "file_id", RequestErrorCodes.InvalidValue).ToResult();
        }

        var (files, unknownFile) = await copies.ResolveAsync([fileId], "file_id", cancellationToken);
        if (unknownFile is not null)
        {
            return unknownFile.ToResult();
        }

        var reply = await copies.CopyAsync(container, files![0], cancellationToken);
        return Render(container, reply, info => Json(ContainerFileJson.Serialize(container.Id, info)));
    }

    public Task<IResult> ListAsync(string containerId, int? limit, string? order, string? after, CancellationToken cancellationToken) =>
        WithContainerAsync(containerId, async container =>
        {
            if (Pagination.Validate(limit, order) is { } invalid)
            {
                return invalid.ToResult();
            }

            // An unknown cursor starts nowhere, as OpenAI's lists do: a path no file can have.
            var size = limit ?? Pagination.DefaultLimit;
            var reply = await Executor<ListContainerFiles>(container).GetResponse<ContainerFileList, ContainerFileFailed>(
                new ListContainerFiles(container.SessionId)
                {
                    Limit = size + 1,
                    After = after is null ? null : ContainerFileJson.PathOf(after) ?? "\0",
                    OldestFirst = order == "asc",
                }, cancellationToken);
            return Render(container, reply, list =>
                Json(ContainerFileJson.SerializeList(container.Id, [.. list.Files.Take(size)], list.Files.Count > size)));
        }, cancellationToken);

    public Task<IResult> GetAsync(string containerId, string fileId, bool content, CancellationToken cancellationToken) =>
        WithFileAsync(containerId, fileId, async (container, path) =>
        {
            var reply = await Executor<GetContainerFile>(container).GetResponse<ContainerFileInfo, ContainerFileFailed>(
                new GetContainerFile { SessionId = container.SessionId, Path = path, IncludeContent = content }, cancellationToken);
            if (reply.Is(out Response<ContainerFileInfo>? found) && found.Message.ContentAddress is { } address)
            {
                return await StoredAsync(address, Path.GetFileName(found.Message.Path), cancellationToken);
            }

            return Render(container, reply, file => content
                ? Results.File(file.Content ?? [], "application/octet-stream", Path.GetFileName(file.Path))
                : Json(ContainerFileJson.Serialize(container.Id, file)));
        }, cancellationToken);

    public Task<IResult> DeleteAsync(string containerId, string fileId, CancellationToken cancellationToken) =>
        WithFileAsync(containerId, fileId, async (container, path) =>
        {
            var reply = await Executor<DeleteContainerFile>(container).GetResponse<ContainerFileInfo, ContainerFileFailed>(
                new DeleteContainerFile { SessionId = container.SessionId, Path = path }, cancellationToken);
            return Render(container, reply, _ => Json(ContainerFileJson.SerializeDeleted(fileId)));
        }, cancellationToken);

    /// <summary>A download that waits in the payload store: streamed to the client, then deleted.</summary>
    private async Task<IResult> StoredAsync(Uri address, string name, CancellationToken cancellationToken)
    {
        Stream content;
        try
        {
            content = await payloads.OpenAsync(address, cancellationToken);
        }
        catch (MessageDataNotFoundException)
        {
            return ApiError.PayloadMissing().ToResult();
        }

        return Results.Stream(async body =>
        {
            try
            {
                await using (content)
                {
                    await content.CopyToAsync(body);
                }
            }
            finally
            {
                await payloads.DeleteAsync(address);
            }
        }, "application/octet-stream", name);
    }

    private IRequestClient<T> Executor<T>(ContainerSnapshot container)
        where T : class =>
        planner.Ask<T>(Endpoints.ExecutorFiles(container.ExecutorId!));

    private Task<IResult> WithFileAsync(string containerId, string fileId, Func<ContainerSnapshot, string, Task<IResult>> work, CancellationToken cancellationToken) =>
        WithContainerAsync(containerId, container => ContainerFileJson.PathOf(fileId) is { } path
            ? work(container, path)
            : Task.FromResult(ApiError.NotFound($"File with id '{fileId}' not found in container '{containerId}'.").ToResult()), cancellationToken);

    private async Task<IResult> WithContainerAsync(string containerId, Func<ContainerSnapshot, Task<IResult>> work, CancellationToken cancellationToken)
    {
        var reply = await planner.Ask<GetContainer>().GetResponse<ContainerSnapshot, ContainerNotFound>(new GetContainer(containerId) { Tenant = tenant.Id }, cancellationToken);
        if (!reply.Is(out Response<ContainerSnapshot>? found) || found.Message.ExecutorId is null)
        {
            return ApiError.NotFound($"Container with id '{containerId}' not found.").ToResult();
        }

        if (found.Message is { Status: ContainerStatuses.Expired, KeptAs: { } kept })
        {
            return ApiError.InvalidRequest($"Container '{containerId}' is expired; its files were kept as snapshot '{kept}'. A response that names the container makes it again with them.",
                null, ErrorCodes.ContainerExpired).ToResult();
        }

        if (found.Message.Status != ContainerStatuses.Running)
        {
            return ApiError.InvalidRequest($"Container '{containerId}' is {found.Message.Status}; its files are gone.", null, ErrorCodes.ContainerExpired).ToResult();
        }

        return await work(found.Message);
    }

    internal static IResult Render<T>(ContainerSnapshot container, Response<T, ContainerFileFailed> reply, Func<T, IResult> render)
        where T : class
    {
        if (reply.Is(out Response<T>? ok))
        {
            return render(ok.Message);
        }

        var failed = reply.Is(out Response<ContainerFileFailed>? no) ? no.Message : new ContainerFileFailed(ErrorCodes.FileError, "No answer.");
        return failed.Code switch
        {
            ErrorCodes.FileNotFound => ApiError.NotFound(failed.Message).ToResult(),
            ErrorCodes.FileTooLargeToRead => new ApiError(StatusCodes.Status413PayloadTooLarge, failed.Message, RequestErrorCodes.InvalidRequestError, null, ErrorCodes.FileTooLarge).ToResult(),
            ErrorCodes.ContainerGone => ApiError.InvalidRequest($"Container '{container.Id}': {failed.Message}", null, ErrorCodes.ContainerExpired).ToResult(),
            ErrorCodes.InvalidPath => ApiError.InvalidRequest(failed.Message, "file", ErrorCodes.InvalidPath).ToResult(),
            ErrorCodes.TooManyFiles => ApiError.InvalidRequest(failed.Message, "file", ErrorCodes.TooManyFiles).ToResult(),
            _ => new ApiError(StatusCodes.Status500InternalServerError, failed.Message, ErrorCodes.ServerError, null, failed.Code).ToResult(),
        };
    }

    private static IResult Json(byte[] body) => Results.Text(body, "application/json");
}
