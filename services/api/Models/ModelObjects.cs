using System.Text.Json;
using System.Text.Json.Serialization;
using Berth.Api.Wire;
using Berth.Contracts;

namespace Berth.Api.Models;

/// <summary>OpenAI's <c>model</c> object, alone and in its list (which, unlike the others, has no cursors).</summary>
internal static class ModelJson
{
    public static byte[] Serialize(ModelInfo model) => JsonSerializer.SerializeToUtf8Bytes(ModelObject.From(model), ApiJsonContext.Default.ModelObject);

    public static byte[] SerializeList(IReadOnlyList<ModelInfo> models) =>
        JsonSerializer.SerializeToUtf8Bytes(new ModelListObject { Data = [.. models.Select(ModelObject.From)] }, ApiJsonContext.Default.ModelListObject);
}

internal sealed record ModelObject(string Id)
{
    [JsonPropertyName("object")]
    public string ObjectType => "model";

    public required long Created { get; init; }

    public required string OwnedBy { get; init; }

    public static ModelObject From(ModelInfo model) => new(model.Id) { Created = model.Created, OwnedBy = model.OwnedBy };
}

internal sealed record ModelListObject
{
    [JsonPropertyName("object")]
    public string ObjectType => "list";

    public required IReadOnlyList<ModelObject> Data { get; init; }
}
