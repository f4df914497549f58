using System.Text.Json;
using Berth.Contracts;

namespace Berth.Api.Containers;

/// <summary>Renders OpenAI's <c>container</c> object.</summary>
public static class ContainerJson
{
    public static void Write(Utf8JsonWriter writer, ContainerSnapshot container)
    {
        writer.WriteStartObject();
        writer.WriteString("id", container.Id);
        writer.WriteString("object", "container");
        writer.WriteNumber("created_at", container.CreatedAt.ToUnixTimeSeconds());
        writer.WriteString("status", container.Status);
        writer.WriteStartObject("expires_after");
        writer.WriteString("anchor", "last_active_at");
        writer.WriteNumber("minutes", container.IdleMinutes);
        writer.WriteEndObject();
        writer.WriteNumber("last_active_at", container.LastActiveAt.ToUnixTimeSeconds());
        if (container.MemoryMb is { } memory)
        {
            writer.WriteString("memory_limit", $"{memory / 1024}g");
        }

        writer.WriteString("name", container.Name);
        writer.WriteEndObject();
    }

    public static byte[] Serialize(ContainerSnapshot container) => Render(writer => Write(writer, container));

    public static byte[] SerializeList(IReadOnlyList<ContainerSnapshot> page, bool hasMore) => Render(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("object", "list");
        writer.WriteStartArray("data");
        foreach (var container in page)
        {
            Write(writer, container);
        }

        writer.WriteEndArray();
        if (page.Count > 0)
        {
            writer.WriteString("first_id", page[0].Id);
            writer.WriteString("last_id", page[^1].Id);
        }
        else
        {
            writer.WriteNull("first_id");
            writer.WriteNull("last_id");
        }

        writer.WriteBoolean("has_more", hasMore);
        writer.WriteEndObject();
    });

    public static byte[] SerializeDeleted(string containerId) => Render(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("id", containerId);
        writer.WriteString("object", "container.deleted");
        writer.WriteBoolean("deleted", true);
        writer.WriteEndObject();
    });

    private static byte[] Render(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
