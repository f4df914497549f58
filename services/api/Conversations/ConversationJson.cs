using System.Text.Json;
using Berth.Contracts;
using Berth.ServiceDefaults;

namespace Berth.Api.Conversations;

/// <summary>A conversation in the shape of OpenAI's <c>Conversation</c>, and its deletion's.</summary>
public static class ConversationJson
{
    public static byte[] Serialize(ConversationSnapshot conversation) => JsonBytes.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("id", conversation.Id);
        writer.WriteString("object", "conversation");
        writer.WriteNumber("created_at", conversation.CreatedAt.ToUnixTimeSeconds());
        writer.WriteStartObject("metadata");
        foreach (var (key, value) in conversation.Metadata ?? new Dictionary<string, string>())
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    public static byte[] SerializeDeleted(string conversationId) => JsonBytes.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("id", conversationId);
        writer.WriteString("object", "conversation.deleted");
        writer.WriteBoolean("deleted", true);
        writer.WriteEndObject();
    });

    public static byte[] SerializeItem(InputMessage item) => JsonBytes.Write(writer => Responses.InputItemJson.Write(writer, item));
}
