using Berth.Api.Containers;
using Berth.Api.Errors;
using Berth.Api.Security;
using Berth.Contracts;
using Berth.ServiceDefaults.Payloads;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Api.Files;

/// <summary>
/// <c>/v1/files</c> but the upload (<see cref="FileUpload"/>): the planner keeps the records,
/// tenant by tenant, and the bytes come straight from the payload store.
/// </summary>
internal sealed class FilesService(
    PlannerClient planner, PayloadStore payloads, RequestTenant tenant)
{
    /// <summary>As OpenAI's files list: up to 10,000 a page, and that many unless told otherwise.</summary>
    public const int MaxLimit = 10_000;

    private const int MaxPurposeLength = 64;

    public Task<IResult> ListAsync(int? limit, string? order, string? after, string? purpose, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return RefusedAsync($"Invalid 'limit': expected an integer from 1 to {MaxLimit}.", "limit");
        }

        if (Pagination.Validate(null, order) is { } invalid)
        {
            return Task.FromResult(invalid.ToResult());
        }

        if (after is not null && !IdFormat.IsFileId(after))
        {
            return RefusedAsync($"Invalid 'after': expected the id of a file from a previous page ({IdFormat.FileIdShape}).", "after");
        }

        if (purpose is { Length: > MaxPurposeLength })
        {
            return RefusedAsync($"Invalid 'purpose': at most {MaxPurposeLength} characters.", "purpose");
        }

        return PageAsync();

        async Task<IResult> PageAsync()
        {
            var page = (await planner.Ask<ListFiles>().GetResponse<FileList>(new ListFiles
            {
                Tenant = tenant.Id,
                Purpose = purpose,
                Limit = limit ?? MaxLimit,
                After = after,
                OldestFirst = order == "asc",
            }, cancellationToken)).Message;
            return Json(FileJson.SerializeList(page.Files, page.HasMore));
        }
    }

    public Task<IResult> GetAsync(string fileId, CancellationToken cancellationToken) =>
        WithFileAsync(fileId, file => Task.FromResult(Json(FileJson.Serialize(file))), cancellationToken);

    /// <summary>The bytes, streamed from the payload store.</summary>
    public Task<IResult> ContentAsync(string fileId, CancellationToken cancellationToken) => WithFileAsync(fileId, async file =>
    {
        try
        {
            var content = await payloads.OpenAsync(file.ContentAddress, cancellationToken);
            return Results.Stream(content, "application/octet-stream", file.Filename);
        }
        catch (MessageDataNotFoundException)
        {
            return ApiError.PayloadMissing().ToResult();
        }
    }, cancellationToken);

    public async Task<IResult> DeleteAsync(string fileId, CancellationToken cancellationToken)
    {
        var reply = await planner.Ask<DeleteFile>().GetResponse<FileSnapshot, FileNotFound>(new DeleteFile(fileId) { Tenant = tenant.Id }, cancellationToken);
        return reply.Is(out Response<FileSnapshot>? _) ? Json(FileJson.SerializeDeleted(fileId)) : NotFound(fileId);
    }

    private async Task<IResult> WithFileAsync(string fileId, Func<FileSnapshot, Task<IResult>> work, CancellationToken cancellationToken)
    {
        var reply = await planner.Ask<GetFile>().GetResponse<FileSnapshot, FileNotFound>(new GetFile(fileId) { Tenant = tenant.Id }, cancellationToken);
        return reply.Is(out Response<FileSnapshot>? found) ? await work(found.Message) : NotFound(fileId);
    }

    public static IResult NotFound(string fileId) => ApiError.NotFound($"No such File object: {fileId}").ToResult();

    private static Task<IResult> RefusedAsync(string message, string param) => Task.FromResult(ApiError.InvalidRequest(message, param, RequestErrorCodes.InvalidValue).ToResult());

    private static IResult Json(byte[] body) => Results.Text(body, "application/json");
}
