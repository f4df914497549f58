using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Berth.Api.Wire;
using Berth.Contracts;

namespace Berth.Api.Containers;

/// <summary>
/// OpenAI's <c>container.file</c> object. A file's id encodes its path under <c>/mnt/data</c>, so
/// files the agent writes have ids without any bookkeeping, and an id always names one path.
/// </summary>
internal static class ContainerFileJson
{
    private const string Prefix = "cfile_";

    public static string IdOf(string path) => Prefix + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(path));

    public static string? PathOf(string fileId)
    {
        if (!fileId.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(fileId.AsSpan(Prefix.Length)));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public static byte[] Serialize(string containerId, ContainerFileInfo file) =>
        JsonSerializer.SerializeToUtf8Bytes(ContainerFileObject.From(containerId, file), ApiJsonContext.Default.ContainerFileObject);

    public static byte[] SerializeList(string containerId, IReadOnlyList<ContainerFileInfo> page, bool hasMore) =>
        JsonSerializer.SerializeToUtf8Bytes(ListPage.Of([.. page.Select(f => ContainerFileObject.From(containerId, f))], hasMore, f => f.Id),
            ApiJsonContext.Default.ListPageContainerFileObject);

    public static byte[] SerializeDeleted(string fileId) =>
        JsonSerializer.SerializeToUtf8Bytes(new DeletedObject(fileId, "container.file.deleted"), ApiJsonContext.Default.DeletedObject);
}
