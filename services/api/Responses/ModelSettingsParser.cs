using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Contracts;
using static Berth.Api.Responses.JsonFields;

namespace Berth.Api.Responses;

/// <summary>
/// The request parameters that shape how the model answers, read as OpenAI reads them, and the
/// values Berth cannot honour, refused by name. Defaults and no-op values that SDKs send (<c>store:
/// true</c>, <c>include: []</c>, <c>truncation: "disabled"</c>, <c>service_tier: "auto"</c>) stay accepted.
/// </summary>
internal static partial class ModelSettingsParser
{
    private const int MaxIdentifierLength = 512;

    private static readonly HashSet<string> Efforts = ["none", "minimal", "low", "medium", "high", "xhigh"];

    /// <summary>Null when the request sets none of them.</summary>
    public static ModelSettings? Parse(JsonElement body)
    {
        RefuseWhatCannotBeHonoured(body);
        var settings = new ModelSettings
        {
            Temperature = OptionalNumber(body, "temperature", 0, 2),
            TopP = OptionalNumber(body, "top_p", 0, 1),
            MaxOutputTokens = MaxOutputTokens(body),
            TextFormat = TextFormat(body),
            ReasoningEffort = ReasoningEffort(body),
            User = Identifier(body, "user", MaxIdentifierLength),
            SafetyIdentifier = Identifier(body, "safety_identifier", 64),
            PromptCacheKey = Identifier(body, "prompt_cache_key", MaxIdentifierLength),
            Truncation = Truncation(body),
            CompactThreshold = CompactThreshold(body),
        };
        return settings == new ModelSettings() ? null : settings;
    }

    /// <summary>The fewest tokens a compaction threshold may be: below it, the newest turns alone would not fit.</summary>
    public const int MinCompactThreshold = 1000;

    /// <summary>
    /// <c>context_management: [{"type": "compaction", "compact_threshold"}]</c>: the threshold;
    /// 0 for compaction at the model's default threshold (<see cref="ResponsesService"/> sets it
    /// from the catalog); null without compaction.
    /// </summary>
    private static int? CompactThreshold(JsonElement body)
    {
        if (Optional(body, "context_management") is not { ValueKind: not JsonValueKind.Null } entries)
        {
            return null;
        }

        if (entries.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"Invalid type for 'context_management': expected an array, but got {Describe(entries)} instead.", "context_management", RequestErrorCodes.InvalidType);
        }

        if (entries.GetArrayLength() > 1)
        {
            throw Invalid("Invalid 'context_management': give at most one entry.", "context_management", RequestErrorCodes.InvalidValue);
        }

        if (entries.GetArrayLength() == 0)
        {
            return null;
        }

        var entry = entries[0];
        const string path = "context_management[0]";
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"Invalid type for '{path}': expected an object, but got {Describe(entry)} instead.", path, RequestErrorCodes.InvalidType);
        }

        foreach (var property in entry.EnumerateObject().Where(p => p.Name is not ("type" or "compact_threshold")))
        {
            throw Invalid($"Unknown parameter: '{path}.{Shortened(property.Name)}'.", $"{path}.{Shortened(property.Name)}", RequestErrorCodes.UnknownParameter);
        }

        var type = RequiredString(entry, "type", path);
        if (type != "compaction")
        {
            throw Invalid($"Invalid value for '{path}.type': '{Shortened(type)}'. Supported values are: 'compaction'.", $"{path}.type", RequestErrorCodes.InvalidValue);
        }

        if (Optional(entry, "compact_threshold") is not { ValueKind: not JsonValueKind.Null } threshold)
        {
            return 0;
        }

        return threshold.ValueKind == JsonValueKind.Number && threshold.TryGetInt32(out var tokens) && tokens is >= MinCompactThreshold and <= 10_000_000
            ? tokens
            : throw Invalid($"Invalid '{path}.compact_threshold': expected an integer from {MinCompactThreshold} to 10000000 tokens.", $"{path}.compact_threshold", RequestErrorCodes.InvalidValue);
    }

    /// <summary><c>auto</c>, or null for <c>disabled</c> (the default).</summary>
    private static string? Truncation(JsonElement body) =>
        OptionalString(body, "truncation") switch
        {
            null or ModelSettings.TruncateDisabled => null,
            ModelSettings.TruncateAuto => ModelSettings.TruncateAuto,
            var other => throw Invalid($"Invalid value for 'truncation': '{Shortened(other)}'. Supported values are: 'auto' and 'disabled'.", "truncation", RequestErrorCodes.InvalidValue),
        };

    private static void RefuseWhatCannotBeHonoured(JsonElement body)
    {
        if (Optional(body, "include") is { } include && include.ValueKind != JsonValueKind.Null)
        {
            if (include.ValueKind != JsonValueKind.Array)
            {
                throw Invalid($"Invalid type for 'include': expected an array, but got {Describe(include)} instead.", "include", RequestErrorCodes.InvalidType);
            }

            var index = 0;
            foreach (var value in include.EnumerateArray())
            {
                var param = $"include[{index++}]";
                if (value.ValueKind != JsonValueKind.String)
                {
                    throw Invalid($"Invalid type for '{param}': expected a string, but got {Describe(value)} instead.", param, RequestErrorCodes.InvalidType);
                }

                if (IncludeValues.Refusal(value.GetString()!) is { } refusal)
                {
                    throw Unsupported("include", refusal);
                }
            }
        }

        if (Optional(body, "top_logprobs") is { } logprobs && logprobs.ValueKind != JsonValueKind.Null
            && !(logprobs.ValueKind == JsonValueKind.Number && logprobs.TryGetInt32(out var count) && count == 0))
        {
            throw Unsupported("top_logprobs", "'top_logprobs' is not supported: Berth does not return log probabilities.");
        }

        if (Optional(body, "service_tier") is { } tier && tier.ValueKind != JsonValueKind.Null
            && !(tier.ValueKind == JsonValueKind.String && tier.GetString() is "auto" or "default"))
        {
            throw Unsupported("service_tier", "Only 'service_tier' 'auto' and 'default' are supported: Berth has no other tiers.");
        }

        // Parameters of OpenAI's that Berth has nothing behind: refused by name when set.
        foreach (var name in new[] { "prompt", "prompt_cache_retention", "access_programs", "background_options", "image", "moderation", "prompt_cache_options" })
        {
            if (Optional(body, name) is { ValueKind: not JsonValueKind.Null })
            {
                throw Unsupported(name, $"'{name}' is not supported yet.");
            }
        }

        if (Optional(body, "stream_options") is { } options && options.ValueKind != JsonValueKind.Null)
        {
            if (options.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"Invalid type for 'stream_options': expected an object, but got {Describe(options)} instead.", "stream_options", RequestErrorCodes.InvalidType);
            }

            if (Optional(options, "include_obfuscation") is { ValueKind: JsonValueKind.True })
            {
                throw Unsupported("stream_options.include_obfuscation", "'stream_options.include_obfuscation: true' is not supported: Berth's deltas carry no obfuscation. Set it to false.");
            }
        }

        if (Optional(body, "reasoning") is { ValueKind: JsonValueKind.Object } reasoning)
        {
            foreach (var name in new[] { "summary", "generate_summary" })
            {
                if (Optional(reasoning, name) is { ValueKind: not JsonValueKind.Null })
                {
                    throw Unsupported($"reasoning.{name}", $"'reasoning.{name}' is not supported: the models Berth calls return no reasoning summaries to it.");
                }
            }
        }

        if (Optional(body, "text") is { ValueKind: JsonValueKind.Object } text
            && Optional(text, "verbosity") is { } verbosity && verbosity.ValueKind != JsonValueKind.Null
            && !(verbosity.ValueKind == JsonValueKind.String && verbosity.GetString() == "medium"))
        {
            throw Unsupported("text.verbosity", "Only 'text.verbosity' 'medium' (the default) is supported yet.");
        }
    }

    private static double? OptionalNumber(JsonElement body, string name, double min, double max)
    {
        var value = Optional(body, name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Number || !value.Value.TryGetDouble(out var number))
        {
            throw Invalid($"Invalid type for '{name}': expected a number, but got {Describe(value.Value)} instead.", name, RequestErrorCodes.InvalidType);
        }

        if (number < min || number > max)
        {
            throw Invalid($"Invalid '{name}': expected a number between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}, but got {number.ToString(CultureInfo.InvariantCulture)} instead.",
                name, number < min ? "decimal_below_min_value" : "decimal_above_max_value");
        }

        return number;
    }

    private static int? MaxOutputTokens(JsonElement body)
    {
        var tokens = OptionalPositiveInt(body, "max_output_tokens");
        return tokens < 16
            ? throw Invalid($"Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got {tokens} instead.", "max_output_tokens", RequestErrorCodes.IntegerBelowMinValue)
            : tokens;
    }

    private static TextFormatSpec? TextFormat(JsonElement body)
    {
        var text = Optional(body, "text");
        if (text is null || text.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (text.Value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"Invalid type for 'text': expected an object, but got {Describe(text.Value)} instead.", "text", RequestErrorCodes.InvalidType);
        }

        var format = Optional(text.Value, "format");
        if (format is null || format.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (format.Value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"Invalid type for 'text.format': expected an object, but got {Describe(format.Value)} instead.", "text.format", RequestErrorCodes.InvalidType);
        }

        var type = RequiredString(format.Value, "type", "text.format");
        switch (type)
        {
            case "text":
                return null;
            case TextFormatSpec.JsonObject:
                return new TextFormatSpec { Type = type };
            case TextFormatSpec.JsonSchema:
                var name = RequiredString(format.Value, "name", "text.format");
                if (!SchemaName().IsMatch(name))
                {
                    throw Invalid("Invalid 'text.format.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.", "text.format.name", RequestErrorCodes.InvalidValue);
                }

                var schema = Optional(format.Value, "schema");
                if (schema is not { ValueKind: JsonValueKind.Object })
                {
                    throw schema is null or { ValueKind: JsonValueKind.Null }
                        ? Invalid("Missing required parameter: 'text.format.schema'.", "text.format.schema", RequestErrorCodes.MissingRequiredParameter)
                        : Invalid($"Invalid type for 'text.format.schema': expected an object, but got {Describe(schema.Value)} instead.", "text.format.schema", RequestErrorCodes.InvalidType);
                }

                var strict = Optional(format.Value, "strict");
                if (strict is { ValueKind: not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null) })
                {
                    throw Invalid($"Invalid type for 'text.format.strict': expected a boolean, but got {Describe(strict.Value)} instead.", "text.format.strict", RequestErrorCodes.InvalidType);
                }

                return new TextFormatSpec
                {
                    Type = type,
                    Name = name,
                    Description = OptionalString(format.Value, "description", "text.format"),
                    Schema = schema.Value.GetRawText(),
                    Strict = strict?.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null },
                };
            default:
                throw Invalid($"Invalid value for 'text.format.type': '{Shortened(type)}'. Supported values are: 'text', 'json_object', and 'json_schema'.", "text.format.type", RequestErrorCodes.InvalidValue);
        }
    }

    private static string? ReasoningEffort(JsonElement body)
    {
        var reasoning = Optional(body, "reasoning");
        if (reasoning is null || reasoning.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (reasoning.Value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"Invalid type for 'reasoning': expected an object, but got {Describe(reasoning.Value)} instead.", "reasoning", RequestErrorCodes.InvalidType);
        }

        var effort = OptionalString(reasoning.Value, "effort", "reasoning");
        return effort is null || Efforts.Contains(effort)
            ? effort
            : throw Invalid($"Invalid value for 'reasoning.effort': '{Shortened(effort)}'. Supported values are: 'none', 'minimal', 'low', 'medium', 'high', and 'xhigh'.", "reasoning.effort", RequestErrorCodes.InvalidValue);
    }

    private static string? Identifier(JsonElement body, string name, int maxLength)
    {
        var value = OptionalString(body, name);
        return value is { Length: var length } && length > maxLength
            ? throw Invalid($"Invalid '{name}': string too long. Expected a string with maximum length {maxLength}, but got a string with length {length} instead.", name, RequestErrorCodes.StringAboveMaxLength)
            : value;
    }

    private static RequestException Unsupported(string param, string message) => Invalid(message, param, RequestErrorCodes.UnsupportedParameter);

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex SchemaName();
}
