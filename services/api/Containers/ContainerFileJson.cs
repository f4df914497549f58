using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Berth.Contracts;
using Berth.ServiceDefaults;

namespace Berth.Api.Containers;

/// <summary>
/// OpenAI's <c>container.file</c> object. A file's id encodes its path under <c>/mnt/data</c>, so
/// files the agent writes have ids without any bookkeeping, and an id always names one path.
/// </summary>
public static class ContainerFileJson
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

    public static void Write(Utf8JsonWriter writer, string containerId, ContainerFileInfo file)
    {
        writer.WriteStartObject();
        writer.WriteString("id", IdOf(file.Path));
        writer.WriteString("object", "container.file");
        writer.WriteNumber("created_at", file.CreatedAt.ToUnixTimeSeconds());
        writer.WriteNumber("bytes", file.Bytes);
        writer.WriteString("container_id", containerId);
        writer.WriteString("path", $"/mnt/data/{file.Path}");
        writer.WriteString("source", file.Source);
        writer.WriteEndObject();
    }

    public static byte[] Serialize(string containerId, ContainerFileInfo file) => JsonBytes.Write(writer => Write(writer, containerId, file));

    public static byte[] SerializeList(string containerId, IReadOnlyList<ContainerFileInfo> page, bool hasMore) =>
        ListJson.Serialize(page, hasMore, f => IdOf(f.Path), (writer, file) => Write(writer, containerId, file));

    public static byte[] SerializeDeleted(string fileId) => JsonBytes.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("id", fileId);
        writer.WriteString("object", "container.file.deleted");
        writer.WriteBoolean("deleted", true);
        writer.WriteEndObject();
    });
}
