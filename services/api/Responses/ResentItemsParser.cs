using System.Text.Json;
using Berth.Contracts;
using static Berth.Api.Responses.JsonFields;

namespace Berth.Api.Responses;

/// <summary>
/// Reads the output items a client sends back as input, as one that keeps its own history does
/// (<c>store: false</c>): the model's calls and the outputs of Berth's shell, its reasoning
/// summaries and the compaction items Berth sealed. Each is read into the
/// <see cref="ResponseItem"/> it was, with an empty id that the caller fills in.
/// </summary>
internal static class ResentItemsParser
{
    public static ResponseItem FunctionCall(JsonElement item, string path) => new()
    {
        Id = "",
        Type = ResponseItem.FunctionCall,
        CallId = RequiredString(item, "call_id", path),
        Name = RequiredString(item, "name", path),
        Arguments = RequiredText(item, "arguments", path),
    };

    public static ResponseItem Reasoning(JsonElement item, string path) =>
        new() { Id = "", Type = ResponseItem.Reasoning, Text = SummaryOf(item, path) };

    public static ResponseItem Compaction(JsonElement item, string path) =>
        new() { Id = "", Type = ResponseItem.Compaction, EncryptedContent = SealedSummary(item, path) };

    /// <summary>Longer than any compaction item Berth makes; the planner opens it, and refuses one it did not seal for this tenant.</summary>
    public const int MaxSealedLength = 1024 * 1024;

    private static string SealedSummary(JsonElement item, string path)
    {
        var sealedText = RequiredString(item, "encrypted_content", path);
        return sealedText.Length <= MaxSealedLength
            ? sealedText
            : throw Invalid($"Invalid '{path}.encrypted_content': longer than any compaction item Berth makes.", $"{path}.encrypted_content", RequestErrorCodes.InvalidValue);
    }

    public static ResponseItem ShellCall(JsonElement item, string path)
    {
        var action = RequiredObject(item, "action", path);
        var actionPath = $"{path}.action";
        var commands = Optional(action, "commands") ?? throw Invalid($"Missing required parameter: '{actionPath}.commands'.", $"{actionPath}.commands", RequestErrorCodes.MissingRequiredParameter);
        if (commands.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"Invalid type for '{actionPath}.commands': expected an array of strings, but got {Describe(commands)} instead.", $"{actionPath}.commands", RequestErrorCodes.InvalidType);
        }

        var list = new List<string>();
        var index = 0;
        foreach (var command in commands.EnumerateArray())
        {
            var commandPath = $"{actionPath}.commands[{index++}]";
            list.Add(command.ValueKind == JsonValueKind.String
                ? command.GetString()!
                : throw Invalid($"Invalid type for '{commandPath}': expected a string, but got {Describe(command)} instead.", commandPath, RequestErrorCodes.InvalidType));
        }

        return new ResponseItem
        {
            Id = "",
            Type = ResponseItem.ShellCall,
            CallId = RequiredString(item, "call_id", path),
            Commands = list,
            TimeoutMs = OptionalCount(action, "timeout_ms", actionPath),
            MaxOutputLength = OptionalCount(action, "max_output_length", actionPath),
        };
    }

    public static ResponseItem ShellCallOutput(JsonElement item, string path)
    {
        var output = Optional(item, "output") ?? throw Invalid($"Missing required parameter: '{path}.output'.", $"{path}.output", RequestErrorCodes.MissingRequiredParameter);
        if (output.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"Invalid type for '{path}.output': expected an array of command outputs, but got {Describe(output)} instead.", $"{path}.output", RequestErrorCodes.InvalidType);
        }

        var outputs = new List<CommandOutput>();
        var index = 0;
        foreach (var one in output.EnumerateArray())
        {
            var onePath = $"{path}.output[{index++}]";
            if (one.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"Invalid type for '{onePath}': expected an object, but got {Describe(one)} instead.", onePath, RequestErrorCodes.InvalidType);
            }

            var outcome = RequiredObject(one, "outcome", onePath);
            var outcomeType = RequiredString(outcome, "type", $"{onePath}.outcome");
            outputs.Add(outcomeType switch
            {
                "exit" => new CommandOutput
                {
                    Stdout = RequiredText(one, "stdout", onePath),
                    Stderr = RequiredText(one, "stderr", onePath),
                    ExitCode = RequiredInt(outcome, "exit_code", $"{onePath}.outcome"),
                },
                "timeout" => new CommandOutput { Stdout = RequiredText(one, "stdout", onePath), Stderr = RequiredText(one, "stderr", onePath), TimedOut = true },
                _ => throw Invalid($"Invalid value for '{onePath}.outcome.type': '{Shortened(outcomeType)}'. Supported values are: 'exit' and 'timeout'.", $"{onePath}.outcome.type", RequestErrorCodes.InvalidValue),
            });
        }

        return new ResponseItem
        {
            Id = "",
            Type = ResponseItem.ShellCallOutput,
            CallId = RequiredString(item, "call_id", path),
            Outputs = outputs,
            MaxOutputLength = OptionalCount(item, "max_output_length", path),
        };
    }

    /// <summary>A reasoning item's summary texts. Its encrypted content is OpenAI's, for OpenAI's models, and means nothing to another.</summary>
    private static string SummaryOf(JsonElement item, string path)
    {
        var summary = Optional(item, "summary") ?? throw Invalid($"Missing required parameter: '{path}.summary'.", $"{path}.summary", RequestErrorCodes.MissingRequiredParameter);
        if (summary.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"Invalid type for '{path}.summary': expected an array of summary parts, but got {Describe(summary)} instead.", $"{path}.summary", RequestErrorCodes.InvalidType);
        }

        var texts = new List<string>();
        var index = 0;
        foreach (var part in summary.EnumerateArray())
        {
            var partPath = $"{path}.summary[{index++}]";
            if (part.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"Invalid type for '{partPath}': expected an object, but got {Describe(part)} instead.", partPath, RequestErrorCodes.InvalidType);
            }

            texts.Add(RequiredText(part, "text", partPath));
        }

        return string.Join("\n", texts);
    }
}
