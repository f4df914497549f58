using System.Text.Json;
using Berth.Api.Containers;
using Berth.Contracts;
using Berth.ServiceDefaults;

namespace Berth.Api.Files;

/// <summary>Renders OpenAI's <c>file</c> object (the SDKs' <c>FileObject</c>) and its deletion.</summary>
public static class FileJson
{
    public static void Write(Utf8JsonWriter writer, FileSnapshot file)
    {
        writer.WriteStartObject();
        writer.WriteString("id", file.Id);
        writer.WriteString("object", "file");
        writer.WriteNumber("bytes", file.Bytes);
        writer.WriteNumber("created_at", file.CreatedAt.ToUnixTimeSeconds());
        if (file.ExpiresAt is { } expires)
        {
            writer.WriteNumber("expires_at", expires.ToUnixTimeSeconds());
        }
        else
        {
            writer.WriteNull("expires_at");
        }

        writer.WriteString("filename", file.Filename);
        writer.WriteString("purpose", file.Purpose);

        // Deprecated in the SDKs, still required by their types: a kept file is "processed".
        writer.WriteString("status", "processed");
        writer.WriteNull("status_details");
        writer.WriteEndObject();
    }

    public static byte[] Serialize(FileSnapshot file) => JsonBytes.Write(writer => Write(writer, file));

    public static byte[] SerializeList(IReadOnlyList<FileSnapshot> page, bool hasMore) => ListJson.Serialize(page, hasMore, f => f.Id, Write);

    public static byte[] SerializeDeleted(string fileId) => JsonBytes.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("id", fileId);
        writer.WriteString("object", "file");
        writer.WriteBoolean("deleted", true);
        writer.WriteEndObject();
    });
}
