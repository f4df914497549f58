using Berth.Api.Errors;
using Berth.Api.Files;
using Berth.Api.Security;
using Berth.Contracts;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Api.Containers;

/// <summary>
/// Copies files uploaded through <c>/v1/files</c> into containers (<c>file_ids</c>, and
/// <c>{"file_id"}</c> on a container's files): the container's executor reads the bytes from the
/// payload store, where they stay, as the uploaded file still owns them.
/// </summary>
internal sealed class UploadedFileCopies(PlannerClient planner, RequestTenant tenant)
{
    /// <summary>How many files one request may copy.</summary>
    public const int MaxFiles = 100;

    /// <summary>The tenant's files by id, in order; an id that names none of them is a 400 naming it, and two files of one name are a 400, as both would be one path.</summary>
    public async Task<(IReadOnlyList<FileSnapshot>? Files, ApiError? Error)> ResolveAsync(IReadOnlyList<string> ids, string param, CancellationToken cancellationToken)
    {
        var found = new List<FileSnapshot>();
        foreach (var (id, index) in ids.Select((id, index) => (id, index)))
        {
            var reply = await planner.Ask<GetFile>().GetResponse<FileSnapshot, FileNotFound>(new GetFile(id) { Tenant = tenant.Id }, cancellationToken);
            if (!reply.Is(out Response<FileSnapshot>? file))
            {
                return (null, ApiError.InvalidRequest($"No such File object: {id}", ids.Count == 1 && param == "file_id" ? param : $"{param}[{index}]", RequestErrorCodes.InvalidValue));
            }

            if (found.FirstOrDefault(f => f.Filename == file.Message.Filename) is { } same)
            {
                return (null, ApiError.InvalidRequest($"Files {same.Id} and {id} are both named '{file.Message.Filename}'; a container holds one file at /mnt/data/{file.Message.Filename}.", $"{param}[{index}]", RequestErrorCodes.InvalidValue));
            }

            found.Add(file.Message);
        }

        return (found, null);
    }

    /// <summary>Writes the file to <c>/mnt/data/&lt;its name&gt;</c> on the container's executor.</summary>
    public async Task<Response<ContainerFileInfo, ContainerFileFailed>> CopyAsync(ContainerSnapshot container, FileSnapshot file, CancellationToken cancellationToken) =>
        await planner.Ask<PutContainerFile>(Endpoints.ExecutorFiles(container.ExecutorId!))
            .GetResponse<ContainerFileInfo, ContainerFileFailed>(
                new PutContainerFile { SessionId = container.SessionId, Path = file.Filename, Content = [], ContentAddress = file.ContentAddress },
                cancellationToken);

    /// <summary>Reads <c>file_ids</c>: null when absent or empty; else ids of the right shape, at most <see cref="MaxFiles"/>, each once.</summary>
    public static (IReadOnlyList<string>? Ids, ApiError? Error) ParseIds(System.Text.Json.JsonElement parent, string name, string? path = null)
    {
        var param = path ?? name;
        if (!parent.TryGetProperty(name, out var given) || given.ValueKind == System.Text.Json.JsonValueKind.Null)
        {
            return (null, null);
        }

        if (given.ValueKind != System.Text.Json.JsonValueKind.Array)
        {
            return (null, ApiError.InvalidRequest($"Invalid type for '{param}': expected an array of file ids.", param, RequestErrorCodes.InvalidType));
        }

        if (given.GetArrayLength() > MaxFiles)
        {
            return (null, ApiError.InvalidRequest($"Invalid '{param}': at most {MaxFiles} files.", param, RequestErrorCodes.InvalidValue));
        }

        var ids = new List<string>();
        foreach (var (item, index) in given.EnumerateArray().Select((item, index) => (item, index)))
        {
            if (item.ValueKind != System.Text.Json.JsonValueKind.String || !IdFormat.IsFileId(item.GetString()!))
            {
                return (null, ApiError.InvalidRequest($"Invalid '{param}[{index}]': expected a file id ({IdFormat.FileIdShape}).", $"{param}[{index}]", RequestErrorCodes.InvalidValue));
            }

            if (ids.Contains(item.GetString()!))
            {
                return (null, ApiError.InvalidRequest($"Invalid '{param}[{index}]': {item.GetString()} is given twice.", $"{param}[{index}]", RequestErrorCodes.InvalidValue));
            }

            ids.Add(item.GetString()!);
        }

        return (ids.Count == 0 ? null : ids, null);
    }
}
