using System.Text.Json;
using Berth.Api.Errors;
using Berth.Contracts;
using static Berth.Api.Responses.JsonFields;

namespace Berth.Api.Responses;

/// <summary>
/// Reads a <c>POST /v1/responses</c> body the way OpenAI does: every problem is a 400 that names
/// the parameter, in OpenAI's words where it has them, so SDK users see familiar errors.
/// </summary>
public static class CreateResponseParser
{
    // OpenAI's parameters: each is honoured, or a value Berth cannot honour is refused by name
    // (ModelSettingsParser); anything else is an unknown parameter, as on OpenAI.
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

        RefuseLoneSurrogates(body);
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
        var tools = ToolsParser.Parse(body, egressDomains);

        return new CreateResponseRequest
        {
            Model = model,
            Instructions = OptionalString(body, "instructions"),
            Input = ParseInput(body),
            PreviousResponseId = previous,
            Shell = tools.Shell,
            Functions = tools.Functions,
            ToolChoice = ToolsParser.ParseChoice(body, tools),
            ParallelToolCalls = OptionalBool(body, "parallel_tool_calls"),
            Settings = ModelSettingsParser.Parse(body),
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

    /// <summary>The client's answer to one of the model's function calls: text, as a string or text parts.</summary>
    private static InputMessage ParseFunctionOutput(JsonElement item, string path)
    {
        var callId = RequiredString(item, "call_id", path);
        var output = Optional(item, "output") ?? throw Invalid($"Missing required parameter: '{path}.output'.", $"{path}.output", "missing_required_parameter");
        var text = output.ValueKind switch
        {
            JsonValueKind.String => output.GetString()!,
            JsonValueKind.Array => TextOfParts(output, $"{path}.output"),
            _ => throw Invalid($"Invalid type for '{path}.output': expected a string or an array of content parts, but got {Describe(output)} instead.", $"{path}.output", "invalid_type"),
        };
        return new InputMessage(InputMessage.Tool, text) { CallId = callId };
    }

    private static InputMessage ParseInputItem(JsonElement item, string path)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"Invalid type for '{path}': expected an object, but got {Describe(item)} instead.", path, "invalid_type");
        }

        var type = OptionalString(item, "type", path) ?? "message";
        if (type == "function_call_output")
        {
            return ParseFunctionOutput(item, path);
        }

        if (type != "message")
        {
            throw Invalid($"Invalid value for '{path}.type': '{Shortened(type)}'. Berth accepts input items of type 'message' and 'function_call_output'.", $"{path}.type", "invalid_value");
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

        return new InputMessage(role, TextOfParts(content, $"{path}.content"));
    }

    private static string TextOfParts(JsonElement content, string path)
    {
        var parts = new List<string>();
        var index = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partPath = $"{path}[{index++}]";
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

        return string.Join("\n", parts);
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
}
