using System.Text.Json;
using Berth.Api.Errors;
using Berth.Contracts;

namespace Berth.Api.Responses;

/// <summary>
/// Reads a <c>POST /v1/responses</c> body the way OpenAI does: every problem is a 400 that names
/// the parameter, in OpenAI's words where it has them, so SDK users see familiar errors.
/// </summary>
public static class CreateResponseParser
{
    // OpenAI's parameters. Those Berth does not act on are accepted and ignored, so SDKs that
    // send them by default keep working; anything else is an unknown parameter, as on OpenAI.
    private static readonly HashSet<string> KnownParameters =
    [
        "model", "input", "instructions", "tools", "previous_response_id", "max_tool_calls", "metadata", "background",
        "stream", "stream_options", "store", "include", "parallel_tool_calls", "temperature", "top_p", "truncation",
        "user", "text", "tool_choice", "reasoning", "max_output_tokens", "service_tier", "top_logprobs", "prompt",
        "prompt_cache_key", "prompt_cache_retention", "safety_identifier", "conversation", "context_management",
    ];

    private const int MaxMetadataPairs = 16;
    private const int MaxMetadataKeyLength = 64;
    private const int MaxMetadataValueLength = 512;

    /// <param name="egressDomains">The operator's cap on <c>network_policy</c> domains (normalized); none allows no network.</param>
    public static (CreateResponseRequest? Request, ApiError? Error) Parse(JsonElement body, IReadOnlyList<string>? egressDomains = null)
    {
        try
        {
            return (ParseOrThrow(body, egressDomains ?? []), null);
        }
        catch (RequestException e)
        {
            return (null, e.Error);
        }
    }

    private static CreateResponseRequest ParseOrThrow(JsonElement body, IReadOnlyList<string> egressDomains)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"The request body must be a JSON object, but got {Describe(body)}.", null, "invalid_type");
        }

        foreach (var property in body.EnumerateObject())
        {
            if (!KnownParameters.Contains(property.Name))
            {
                throw Invalid($"Unknown parameter: '{property.Name}'.", property.Name, "unknown_parameter");
            }
        }

        if (Optional(body, "conversation") is { ValueKind: not JsonValueKind.Null })
        {
            throw Invalid("The 'conversation' parameter is not supported; chain responses with 'previous_response_id'.", "conversation", "unsupported_parameter");
        }

        var model = RequiredString(body, "model");
        var previous = OptionalString(body, "previous_response_id");

        return new CreateResponseRequest
        {
            Model = model,
            Instructions = OptionalString(body, "instructions"),
            Input = ParseInput(body),
            PreviousResponseId = previous,
            Shell = ParseTools(body, egressDomains),
            MaxToolCalls = OptionalPositiveInt(body, "max_tool_calls"),
            Metadata = ParseMetadata(body),
            Background = OptionalBool(body, "background") ?? false,
            Stream = OptionalBool(body, "stream") ?? false,
        };
    }

    private static List<InputMessage> ParseInput(JsonElement body)
    {
        var input = Optional(body, "input");
        if (input is null)
        {
            throw Invalid("Missing required parameter: 'input'.", "input", "missing_required_parameter");
        }

        var value = input.Value;
        if (value.ValueKind == JsonValueKind.String)
        {
            return [new InputMessage("user", value.GetString()!)];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"Invalid type for 'input': expected a string or an array of input items, but got {Describe(value)} instead.", "input", "invalid_type");
        }

        var messages = new List<InputMessage>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            messages.Add(ParseInputItem(item, $"input[{index++}]"));
        }

        if (messages.Count == 0)
        {
            throw Invalid("Invalid 'input': expected at least one input item.", "input", "empty_array");
        }

        return messages;
    }

    private static InputMessage ParseInputItem(JsonElement item, string path)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"Invalid type for '{path}': expected an object, but got {Describe(item)} instead.", path, "invalid_type");
        }

        var type = OptionalString(item, "type", path) ?? "message";
        if (type != "message")
        {
            throw Invalid($"Invalid value for '{path}.type': '{type}'. Berth accepts input items of type 'message' only.", $"{path}.type", "invalid_value");
        }

        var role = RequiredString(item, "role", path);
        if (role is not ("user" or "system" or "developer" or "assistant"))
        {
            throw Invalid($"Invalid value for '{path}.role': '{role}'. Supported values are: 'user', 'system', 'developer', and 'assistant'.", $"{path}.role", "invalid_value");
        }

        var content = Optional(item, "content") ?? throw Invalid($"Missing required parameter: '{path}.content'.", $"{path}.content", "missing_required_parameter");
        if (content.ValueKind == JsonValueKind.String)
        {
            return new InputMessage(role, content.GetString()!);
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"Invalid type for '{path}.content': expected a string or an array of content parts, but got {Describe(content)} instead.", $"{path}.content", "invalid_type");
        }

        var parts = new List<string>();
        var index = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partPath = $"{path}.content[{index++}]";
            if (part.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"Invalid type for '{partPath}': expected an object, but got {Describe(part)} instead.", partPath, "invalid_type");
            }

            var partType = RequiredString(part, "type", partPath);
            if (partType is not ("input_text" or "output_text" or "text"))
            {
                throw Invalid($"Invalid value for '{partPath}.type': '{partType}'. Berth accepts text content parts only ('input_text', 'output_text').", $"{partPath}.type", "invalid_value");
            }

            parts.Add(RequiredString(part, "text", partPath));
        }

        return new InputMessage(role, string.Join("\n", parts));
    }

    private static ShellToolSpec? ParseTools(JsonElement body, IReadOnlyList<string> egressDomains)
    {
        var tools = Optional(body, "tools");
        if (tools is null || tools.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (tools.Value.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"Invalid type for 'tools': expected an array, but got {Describe(tools.Value)} instead.", "tools", "invalid_type");
        }

        ShellToolSpec? shell = null;
        var index = 0;
        foreach (var tool in tools.Value.EnumerateArray())
        {
            var path = $"tools[{index++}]";
            if (tool.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"Invalid type for '{path}': expected an object, but got {Describe(tool)} instead.", path, "invalid_type");
            }

            var type = RequiredString(tool, "type", path);
            if (type != "shell")
            {
                throw Invalid($"Invalid value for '{path}.type': '{type}'. Supported values are: 'shell'.", $"{path}.type", "invalid_value");
            }

            if (shell is not null)
            {
                throw Invalid($"Invalid '{path}': only one 'shell' tool may be given.", path, "invalid_value");
            }

            shell = ParseEnvironment(tool, path, egressDomains);
        }

        return shell;
    }

    private static ShellToolSpec ParseEnvironment(JsonElement tool, string path, IReadOnlyList<string> egressDomains)
    {
        var environment = Optional(tool, "environment");
        if (environment is null || environment.Value.ValueKind == JsonValueKind.Null)
        {
            return new ShellToolSpec();
        }

        var envPath = $"{path}.environment";
        if (environment.Value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"Invalid type for '{envPath}': expected an object, but got {Describe(environment.Value)} instead.", envPath, "invalid_type");
        }

        var type = RequiredString(environment.Value, "type", envPath);
        var policy = Optional(environment.Value, "network_policy");
        if (policy is { ValueKind: not JsonValueKind.Null } && type == "container_reference")
        {
            throw Invalid($"Invalid '{envPath}.network_policy': a referenced container keeps the policy it was created with.", $"{envPath}.network_policy", "invalid_value");
        }

        return type switch
        {
            "container_auto" => new ShellToolSpec { NetworkPolicy = policy is { } given ? NetworkPolicyOf(given, $"{envPath}.network_policy", egressDomains) : null },
            "container_reference" => new ShellToolSpec { Environment = type, ContainerId = RequiredString(environment.Value, "container_id", envPath) },
            _ => throw Invalid($"Invalid value for '{envPath}.type': '{type}'. Supported values are: 'container_auto' and 'container_reference'.", $"{envPath}.type", "invalid_value"),
        };
    }

    private static NetworkPolicySpec? NetworkPolicyOf(JsonElement value, string param, IReadOnlyList<string> egressDomains)
    {
        var (policy, error) = Security.NetworkPolicyParser.Parse(value, param, egressDomains);
        return error is null ? policy : throw new RequestException(error);
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement body)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var value = Optional(body, "metadata");
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            return metadata;
        }

        if (value.Value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"Invalid type for 'metadata': expected an object, but got {Describe(value.Value)} instead.", "metadata", "invalid_type");
        }

        foreach (var pair in value.Value.EnumerateObject())
        {
            if (pair.Value.ValueKind != JsonValueKind.String)
            {
                throw Invalid($"Invalid type for 'metadata.{pair.Name}': expected a string, but got {Describe(pair.Value)} instead.", $"metadata.{pair.Name}", "invalid_type");
            }

            if (pair.Name.Length > MaxMetadataKeyLength || pair.Value.GetString()!.Length > MaxMetadataValueLength)
            {
                throw Invalid($"Invalid 'metadata': keys may have at most {MaxMetadataKeyLength} characters and values at most {MaxMetadataValueLength}.", $"metadata.{pair.Name}", "invalid_value");
            }

            metadata[pair.Name] = pair.Value.GetString()!;
        }

        if (metadata.Count > MaxMetadataPairs)
        {
            throw Invalid($"Invalid 'metadata': at most {MaxMetadataPairs} pairs are allowed, got {metadata.Count}.", "metadata", "invalid_value");
        }

        return metadata;
    }

    private static JsonElement? Optional(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) ? value : null;

    private static string RequiredString(JsonElement parent, string name, string? path = null)
    {
        var param = path is null ? name : $"{path}.{name}";
        var value = Optional(parent, name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            throw Invalid($"Missing required parameter: '{param}'.", param, "missing_required_parameter");
        }

        if (value.Value.ValueKind != JsonValueKind.String)
        {
            throw Invalid($"Invalid type for '{param}': expected a string, but got {Describe(value.Value)} instead.", param, "invalid_type");
        }

        var text = value.Value.GetString()!;
        if (text.Length == 0)
        {
            throw Invalid($"Invalid '{param}': empty string. Expected a string with minimum length 1, but got an empty string instead.", param, "empty_string");
        }

        return text;
    }

    private static string? OptionalString(JsonElement parent, string name, string? path = null)
    {
        var value = Optional(parent, name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return RequiredString(parent, name, path);
    }

    private static bool? OptionalBool(JsonElement parent, string name)
    {
        var value = Optional(parent, name);
        return value?.ValueKind switch
        {
            null or JsonValueKind.Null => null,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Invalid($"Invalid type for '{name}': expected a boolean, but got {Describe(value.Value)} instead.", name, "invalid_type"),
        };
    }

    private static int? OptionalPositiveInt(JsonElement parent, string name)
    {
        var value = Optional(parent, name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.Value.ValueKind != JsonValueKind.Number || !value.Value.TryGetInt32(out var number))
        {
            throw Invalid($"Invalid type for '{name}': expected an integer, but got {Describe(value.Value)} instead.", name, "invalid_type");
        }

        if (number < 1)
        {
            throw Invalid($"Invalid '{name}': integer below minimum value. Expected a value >= 1, but got {number} instead.", name, "integer_below_min_value");
        }

        return number;
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => value.TryGetInt64(out _) ? "an integer" : "a decimal",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    private static RequestException Invalid(string message, string? param, string code) =>
        new(ApiError.InvalidRequest(message, param, code));

    /// <summary>Unwinds the parser on the first problem; never leaves it.</summary>
    private sealed class RequestException(ApiError error) : Exception(error.Message)
    {
        public ApiError Error { get; } = error;
    }
}
