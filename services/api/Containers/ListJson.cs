using System.Text.Json;
using Berth.ServiceDefaults;

namespace Berth.Api.Containers;

/// <summary>OpenAI's list envelope: <c>{object: "list", data, first_id, last_id, has_more}</c>.</summary>
public static class ListJson
{
    public static byte[] Serialize<T>(IReadOnlyList<T> page, bool hasMore, Func<T, string> id, Action<Utf8JsonWriter, T> write) => JsonBytes.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("object", "list");
        writer.WriteStartArray("data");
        foreach (var item in page)
        {
            write(writer, item);
        }

        writer.WriteEndArray();
        if (page.Count > 0)
        {
            writer.WriteString("first_id", id(page[0]));
            writer.WriteString("last_id", id(page[^1]));
        }
        else
        {
            writer.WriteNull("first_id");
            writer.WriteNull("last_id");
        }

        writer.WriteBoolean("has_more", hasMore);
        writer.WriteEndObject();
    });
}
