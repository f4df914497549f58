using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Api.Wire;

/// <summary>What OpenAI answers to a delete: <c>{id, object, deleted: true}</c>, a skill version's with its <c>version</c>.</summary>
internal sealed record DeletedObject(string Id, [property: JsonPropertyName("object")] string ObjectType)
{
    public bool Deleted => true;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Version { get; init; }

    public static byte[] Serialize(string id, string objectType) => JsonSerializer.SerializeToUtf8Bytes(new DeletedObject(id, objectType), ApiJsonContext.Default.DeletedObject);
}
