using System.Text.Json.Serialization;
using Berth.Contracts;

namespace Berth.Api.Conversations;

/// <summary>OpenAI's <c>Conversation</c>; its <c>metadata</c> is an object, empty rather than null.</summary>
internal sealed record ConversationObject
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string ObjectType => "conversation";

    public required long CreatedAt { get; init; }

    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    public static ConversationObject From(ConversationSnapshot conversation) => new()
    {
        Id = conversation.Id,
        CreatedAt = conversation.CreatedAt.ToUnixTimeSeconds(),
        Metadata = conversation.Metadata ?? new Dictionary<string, string>(),
    };
}
