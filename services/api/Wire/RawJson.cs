using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Api.Wire;

/// <summary>
/// JSON a client sent (a function's parameters, a JSON schema), written back as it came: parsing
/// it into a <see cref="JsonElement"/> would write it again with the writer's own spacing and escapes.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
internal sealed record RawJson(string Json);

internal sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("The api only writes raw JSON.");

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) => writer.WriteRawValue(value.Json);
}
