using System.Text.Json;
using Berth.Api.Errors;
using Berth.Contracts;

namespace Berth.Api.Responses;

/// <summary>
/// Reading a request body's fields, with OpenAI's wording for every problem: a missing, mistyped
/// or empty field throws <see cref="RequestException"/>, which the parser turns into a 400.
/// </summary>
internal static class JsonFields
{
    public static JsonElement? Optional(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) ? value : null;

    public static string RequiredString(JsonElement parent, string name, string? path = null)
    {
        var param = path is null ? name : $"{path}.{name}";
        var value = Optional(parent, name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            throw Invalid($"Missing required parameter: '{param}'.", param, RequestErrorCodes.MissingRequiredParameter);
        }

        if (value.Value.ValueKind != JsonValueKind.String)
        {
            throw Invalid($"Invalid type for '{param}': expected a string, but got {Describe(value.Value)} instead.", param, RequestErrorCodes.InvalidType);
        }

        var text = value.Value.GetString()!;
        if (text.Length == 0)
        {
            throw Invalid($"Invalid '{param}': empty string. Expected a string with minimum length 1, but got an empty string instead.", param, "empty_string");
        }

        return text;
    }

    public static string? OptionalString(JsonElement parent, string name, string? path = null)
    {
        var value = Optional(parent, name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return RequiredString(parent, name, path);
    }

    public static bool? OptionalBool(JsonElement parent, string name)
    {
        var value = Optional(parent, name);
        return value?.ValueKind switch
        {
            null or JsonValueKind.Null => null,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Invalid($"Invalid type for '{name}': expected a boolean, but got {Describe(value.Value)} instead.", name, RequestErrorCodes.InvalidType),
        };
    }

    public static int? OptionalPositiveInt(JsonElement parent, string name)
    {
        var value = Optional(parent, name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Number || !value.Value.TryGetInt32(out var number))
        {
            throw Invalid($"Invalid type for '{name}': expected an integer, but got {Describe(value.Value)} instead.", name, RequestErrorCodes.InvalidType);
        }

        if (number < 1)
        {
            throw Invalid($"Invalid '{name}': integer below minimum value. Expected a value >= 1, but got {number} instead.", name, RequestErrorCodes.IntegerBelowMinValue);
        }

        return number;
    }

    /// <summary>A string that may be empty, as a command's output or a call's arguments may be.</summary>
    public static string RequiredText(JsonElement parent, string name, string path)
    {
        var value = Optional(parent, name);
        return value is { ValueKind: JsonValueKind.String } text
            ? text.GetString()!
            : throw Invalid(value is null or { ValueKind: JsonValueKind.Null }
                    ? $"Missing required parameter: '{path}.{name}'."
                    : $"Invalid type for '{path}.{name}': expected a string, but got {Describe(value.Value)} instead.",
                $"{path}.{name}", value is null or { ValueKind: JsonValueKind.Null } ? RequestErrorCodes.MissingRequiredParameter : RequestErrorCodes.InvalidType);
    }

    public static JsonElement RequiredObject(JsonElement parent, string name, string path)
    {
        var value = Optional(parent, name);
        return value is { ValueKind: JsonValueKind.Object } found
            ? found
            : throw Invalid(value is null or { ValueKind: JsonValueKind.Null }
                    ? $"Missing required parameter: '{path}.{name}'."
                    : $"Invalid type for '{path}.{name}': expected an object, but got {Describe(value.Value)} instead.",
                $"{path}.{name}", value is null or { ValueKind: JsonValueKind.Null } ? RequestErrorCodes.MissingRequiredParameter : RequestErrorCodes.InvalidType);
    }

    public static int RequiredInt(JsonElement parent, string name, string path) =>
        OptionalInt(parent, name, path) ?? throw Invalid($"Missing required parameter: '{path}.{name}'.", $"{path}.{name}", RequestErrorCodes.MissingRequiredParameter);

    public static int? OptionalCount(JsonElement parent, string name, string path)
    {
        var number = OptionalInt(parent, name, path);
        return number < 0
            ? throw Invalid($"Invalid '{path}.{name}': integer below minimum value. Expected a value >= 0, but got {number} instead.", $"{path}.{name}", RequestErrorCodes.IntegerBelowMinValue)
            : number;
    }

    public static int? OptionalInt(JsonElement parent, string name, string path)
    {
        var value = Optional(parent, name);
        if (value is null or { ValueKind: JsonValueKind.Null })
        {
            return null;
        }

        return value.Value.ValueKind == JsonValueKind.Number && value.Value.TryGetInt32(out var number)
            ? number
            : throw Invalid($"Invalid type for '{path}.{name}': expected an integer, but got {Describe(value.Value)} instead.", $"{path}.{name}", RequestErrorCodes.InvalidType);
    }

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => value.TryGetInt64(out _) ? "an integer" : "a decimal",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    /// <summary>A value the client sent, quoted in an error: at most 64 characters of it, so a huge one cannot swell the answer.</summary>
    public static string Shortened(string text) => text.Length <= 64 ? text : text[..64] + "…";

    public static RequestException Invalid(string message, string? param, string code) =>
        new(ApiError.InvalidRequest(message, param, code));

    /// <summary>Unwinds the parser on the first problem; never leaves it.</summary>
    public sealed class RequestException(ApiError error) : Exception(error.Message)
    {
        public ApiError Error { get; } = error;
    }
}
