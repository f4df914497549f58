using System.Text.Json;
using System.Text.RegularExpressions;
using Berth.Contracts;
using static Berth.Api.Responses.JsonFields;

namespace Berth.Api.Responses;

/// <summary>
/// Reads a request's <c>input</c>: a string, or items. Besides messages and function outputs, a
/// client that keeps its own history (as with <c>store: false</c>) sends back the output items it
/// was given, and one that keeps ids sends <c>item_reference</c>s; both are read here into
/// <see cref="InputMessage"/>s, in the shapes of OpenAI's <c>ResponseInputItem</c>.
/// </summary>
internal static partial class InputItemsParser
{
    /// <summary>Longer than any id OpenAI or Berth gives, and short enough to store and look up without care.</summary>
    public const int MaxIdLength = 128;

    public static List<InputMessage> Parse(JsonElement body)
    {
        var input = Optional(body, "input") ?? throw Invalid("Missing required parameter: 'input'.", "input", RequestErrorCodes.MissingRequiredParameter);
        var value = input;
        if (value.ValueKind == JsonValueKind.String)
        {
            return [new InputMessage("user", value.GetString()!)];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"Invalid type for 'input': expected a string or an array of input items, but got {Describe(value)} instead.", "input", RequestErrorCodes.InvalidType);
        }

        var messages = ParseArray(value, "input", acceptsApprovals: true);
        if (messages.Count == 0)
        {
            throw Invalid("Invalid 'input': expected at least one input item.", "input", RequestErrorCodes.EmptyArray);
        }

        return messages;
    }

    /// <summary>
    /// Items of an array named <paramref name="root"/> (a conversation's <c>items</c>), read as
    /// <c>input</c>'s are. An approval answers a paused response, so only a response's input may
    /// hold one: in a conversation's items it would answer nothing.
    /// </summary>
    public static List<InputMessage> ParseArray(JsonElement items, string root, bool acceptsApprovals = false)
    {
        var messages = new List<InputMessage>();
        var index = 0;
        var images = new ImageCount();
        foreach (var item in items.EnumerateArray())
        {
            var path = $"{root}[{index++}]";
            var parsed = ParseItem(item, path, images);
            if (parsed.Role == InputMessage.ApprovalResponse && !acceptsApprovals)
            {
                throw Invalid($"Invalid '{path}': a '{InputMessage.ApprovalResponse}' answers a paused response, so it goes in the 'input' of the response that continues it.", $"{path}.type", RequestErrorCodes.InvalidValue);
            }

            messages.Add(parsed);
        }

        return messages;
    }

    private static InputMessage ParseItem(JsonElement item, string path, ImageCount images)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"Invalid type for '{path}': expected an object, but got {Describe(item)} instead.", path, RequestErrorCodes.InvalidType);
        }

        var type = OptionalString(item, "type", path) ?? "message";
        return type switch
        {
            "message" => ParseMessage(item, path, images),
            "function_call_output" => ParseFunctionOutput(item, path),
            InputMessage.Reference => new InputMessage(InputMessage.Reference, "") { Id = RequiredId(item, path) },
            ResponseItem.FunctionCall => Resent(item, path, ResentItemsParser.FunctionCall(item, path)),
            ResponseItem.ShellCall => Resent(item, path, ResentItemsParser.ShellCall(item, path)),
            ResponseItem.ShellCallOutput => Resent(item, path, ResentItemsParser.ShellCallOutput(item, path)),
            ResponseItem.Reasoning => Resent(item, path, ResentItemsParser.Reasoning(item, path)),
            ResponseItem.Compaction => Resent(item, path, ResentItemsParser.Compaction(item, path)),
            InputMessage.ApprovalResponse => ParseApproval(item, path),
            _ => throw Invalid(
                $"Invalid value for '{path}.type': '{Shortened(type)}'. Berth accepts input items of type 'message', 'function_call_output', 'item_reference', 'function_call', 'shell_call', 'shell_call_output', 'reasoning', 'compaction' and 'shell_approval_response'.",
                $"{path}.type", RequestErrorCodes.InvalidValue),
        };
    }

    private static InputMessage ParseMessage(JsonElement item, string path, ImageCount images)
    {
        var role = RequiredString(item, "role", path);
        if (role is not ("user" or "system" or "developer" or "assistant"))
        {
            throw Invalid($"Invalid value for '{path}.role': '{Shortened(role)}'. Supported values are: 'user', 'system', 'developer', and 'assistant'.", $"{path}.role", RequestErrorCodes.InvalidValue);
        }

        var content = Optional(item, "content") ?? throw Invalid($"Missing required parameter: '{path}.content'.", $"{path}.content", RequestErrorCodes.MissingRequiredParameter);
        if (content.ValueKind == JsonValueKind.Array && role == "user")
        {
            var parts = PartsOf(content, $"{path}.content", images);
            var joined = string.Join("\n", parts.Where(p => p.Type == ContentPart.InputText).Select(p => p.Text));
            return new InputMessage(role, joined) { Id = OptionalId(item, path), Parts = parts.Any(p => p.Type != ContentPart.InputText) ? parts : null };
        }

        var text = content.ValueKind switch
        {
            JsonValueKind.String => content.GetString()!,
            JsonValueKind.Array => TextOfParts(content, $"{path}.content"),
            _ => throw Invalid($"Invalid type for '{path}.content': expected a string or an array of content parts, but got {Describe(content)} instead.", $"{path}.content", RequestErrorCodes.InvalidType),
        };
        return new InputMessage(role, text) { Id = OptionalId(item, path) };
    }

    /// <summary>A user message's parts, text, images and files, in order.</summary>
    private static List<ContentPart> PartsOf(JsonElement content, string path, ImageCount images)
    {
        var parts = new List<ContentPart>();
        var index = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partPath = $"{path}[{index++}]";
            var type = part.ValueKind == JsonValueKind.Object ? OptionalString(part, "type", partPath) : null;
            if (type is ContentPart.InputImage or ContentPart.InputFile)
            {
                if (++images.Count > MaxImages)
                {
                    throw Invalid($"Invalid 'input': at most {MaxImages} images and files may be sent in one request.", partPath, RequestErrorCodes.InvalidValue);
                }

                parts.Add(type == ContentPart.InputImage ? ImageParts.Parse(part, partPath) : FileParts.Parse(part, partPath));
                continue;
            }

            parts.Add(new ContentPart { Type = ContentPart.InputText, Text = TextOfPart(part, partPath) });
        }

        return parts;
    }

    /// <summary>Images and files a request may send: each goes to the model with every call, so a client cannot make one request of thousands.</summary>
    public const int MaxImages = 50;

    private sealed class ImageCount
    {
        public int Count { get; set; }
    }

    /// <summary>The client's answer to one of the model's function calls: text, as a string or text parts.</summary>
    private static InputMessage ParseFunctionOutput(JsonElement item, string path)
    {
        var callId = RequiredString(item, "call_id", path);
        var output = Optional(item, "output") ?? throw Invalid($"Missing required parameter: '{path}.output'.", $"{path}.output", RequestErrorCodes.MissingRequiredParameter);
        var text = output.ValueKind switch
        {
            JsonValueKind.String => output.GetString()!,
            JsonValueKind.Array => TextOfParts(output, $"{path}.output"),
            _ => throw Invalid($"Invalid type for '{path}.output': expected a string or an array of content parts, but got {Describe(output)} instead.", $"{path}.output", RequestErrorCodes.InvalidType),
        };
        return new InputMessage(InputMessage.Tool, text) { CallId = callId, Id = OptionalId(item, path) };
    }

    /// <summary>A reason is for people and the model to read, not a document.</summary>
    public const int MaxReasonLength = 4_000;

    /// <summary>
    /// A <c>shell_approval_response</c> (a Berth extension, shaped as OpenAI's
    /// <c>mcp_approval_response</c>): <c>approval_request_id</c>, <c>approve</c> and an optional
    /// <c>reason</c>. Whether the request waits is the planner's to say; its shape is checked here.
    /// </summary>
    private static InputMessage ParseApproval(JsonElement item, string path)
    {
        foreach (var property in item.EnumerateObject())
        {
            if (property.Name is not ("type" or "id" or "approval_request_id" or "approve" or "reason"))
            {
                throw Invalid($"Unknown parameter: '{path}.{Shortened(property.Name)}'.", $"{path}.{Shortened(property.Name)}", RequestErrorCodes.UnknownParameter);
            }
        }

        var requestId = RequiredString(item, "approval_request_id", path);
        if (!requestId.StartsWith("sar_", StringComparison.Ordinal) || requestId.Length > MaxIdLength)
        {
            throw Invalid($"Invalid '{path}.approval_request_id': '{Shortened(requestId)}'. Expected the id of a shell_approval_request (sar_…).", $"{path}.approval_request_id", RequestErrorCodes.InvalidValue);
        }

        var approve = Optional(item, "approve") ?? throw Invalid($"Missing required parameter: '{path}.approve'.", $"{path}.approve", RequestErrorCodes.MissingRequiredParameter);
        if (approve.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw Invalid($"Invalid type for '{path}.approve': expected a boolean, but got {Describe(approve)} instead.", $"{path}.approve", RequestErrorCodes.InvalidType);
        }

        var reason = OptionalString(item, "reason", path);
        if (reason?.Length > MaxReasonLength)
        {
            throw Invalid($"Invalid '{path}.reason': string too long. Expected a string with maximum length {MaxReasonLength}, but got a string with length {reason.Length} instead.", $"{path}.reason", RequestErrorCodes.StringAboveMaxLength);
        }

        return new InputMessage(InputMessage.ApprovalResponse, "")
        {
            Id = OptionalId(item, path),
            Approval = new ApprovalDecision { RequestId = requestId, Approve = approve.ValueKind == JsonValueKind.True, Reason = reason },
        };
    }

    private static InputMessage Resent(JsonElement item, string path, ResponseItem parsed) =>
        new(InputMessage.OutputItem, "") { Id = OptionalId(item, path), Item = parsed with { Id = OptionalId(item, path) ?? "" } };

    private static string TextOfParts(JsonElement content, string path)
    {
        var parts = new List<string>();
        var index = 0;
        foreach (var part in content.EnumerateArray())
        {
            parts.Add(TextOfPart(part, $"{path}[{index++}]"));
        }

        return string.Join("\n", parts);
    }

    private static string TextOfPart(JsonElement part, string partPath)
    {
        if (part.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"Invalid type for '{partPath}': expected an object, but got {Describe(part)} instead.", partPath, RequestErrorCodes.InvalidType);
        }

        var partType = RequiredString(part, "type", partPath);
        if (partType is not ("input_text" or "output_text" or "text"))
        {
            throw Invalid($"Invalid value for '{partPath}.type': '{Shortened(partType)}'. Berth accepts text content parts ('input_text', 'output_text'), and images ('input_image') and files ('input_file') in user messages.", $"{partPath}.type", RequestErrorCodes.InvalidValue);
        }

        return RequiredString(part, "text", partPath);
    }

    private static string RequiredId(JsonElement item, string path) =>
        OptionalId(item, path) ?? throw Invalid($"Missing required parameter: '{path}.id'.", $"{path}.id", RequestErrorCodes.MissingRequiredParameter);

    /// <summary>An item id the client gives: bounded and plain, since it is stored, looked up and used as a list cursor.</summary>
    private static string? OptionalId(JsonElement item, string path)
    {
        var id = OptionalString(item, "id", path);
        if (id is not null && !IsItemId(id))
        {
            throw Invalid($"Invalid '{path}.id': '{Shortened(id)}'. An item id has at most {MaxIdLength} letters, digits, '_' and '-'.", $"{path}.id", RequestErrorCodes.InvalidValue);
        }

        return id;
    }

    /// <summary>Whether <paramref name="id"/> has the shape of an item id: bounded and plain, as ids are stored, looked up and used as list cursors.</summary>
    public static bool IsItemId(string id) => id.Length <= MaxIdLength && IdShape().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex IdShape();
}
