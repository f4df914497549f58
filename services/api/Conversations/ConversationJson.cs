using System.Text.Json;
using Berth.Api.Wire;
using Berth.Contracts;
using Berth.ServiceDefaults;

namespace Berth.Api.Conversations;

/// <summary>Conversations, their deletion and their items as the api answers with them.</summary>
internal static class ConversationJson
{
    public static byte[] Serialize(ConversationSnapshot conversation) =>
        JsonSerializer.SerializeToUtf8Bytes(ConversationObject.From(conversation), ApiJsonContext.Default.ConversationObject);

    public static byte[] SerializeDeleted(string conversationId) =>
        JsonSerializer.SerializeToUtf8Bytes(new DeletedObject(conversationId, "conversation.deleted"), ApiJsonContext.Default.DeletedObject);

    public static byte[] SerializeItem(InputMessage item) => Responses.ResponseJson.SerializeItem(item);
}
