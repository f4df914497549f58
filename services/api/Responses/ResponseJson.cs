using System.Text.Json;
using Berth.Api.Containers;
using Berth.Contracts;
using Berth.ServiceDefaults;

namespace Berth.Api.Responses;

/// <summary>
/// Renders a response as OpenAI's <c>response</c> object. Every field OpenAI always sends is
/// written, null where Berth has nothing to say, because SDKs read some of them unconditionally.
/// </summary>
public static class ResponseJson
{
    public static void Write(Utf8JsonWriter writer, ResponseSnapshot response)
    {
        writer.WriteStartObject();
        writer.WriteString("id", response.Id);
        writer.WriteString("object", "response");
        writer.WriteNumber("created_at", response.CreatedAt.ToUnixTimeSeconds());
        writer.WriteString("status", response.Status);
        writer.WriteBoolean("background", response.Background);
        if (response.CompletedAt is { } completedAt && response.Status == ResponseStatuses.Completed)
        {
            writer.WriteNumber("completed_at", completedAt.ToUnixTimeSeconds());
        }
        else
        {
            writer.WriteNull("completed_at");
        }

        WriteError(writer, response.Error);
        if (response.IncompleteReason is { } reason)
        {
            writer.WriteStartObject("incomplete_details");
            writer.WriteString("reason", reason);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("incomplete_details");
        }

        WriteNullableString(writer, "instructions", response.Instructions);
        var settings = response.Settings ?? new ModelSettings();
        WriteNullableNumber(writer, "max_output_tokens", settings.MaxOutputTokens);
        if (response.MaxToolCalls is { } maxToolCalls)
        {
            writer.WriteNumber("max_tool_calls", maxToolCalls);
        }
        else
        {
            writer.WriteNull("max_tool_calls");
        }

        writer.WriteString("model", response.Model);

        writer.WriteStartArray("output");
        foreach (var item in response.Output)
        {
            WriteItem(writer, item);
        }

        writer.WriteEndArray();

        writer.WriteBoolean("parallel_tool_calls", response.ParallelToolCalls ?? true);
        WriteNullableString(writer, "previous_response_id", response.PreviousResponseId);
        if (response.ConversationId is { } conversation)
        {
            writer.WriteStartObject("conversation");
            writer.WriteString("id", conversation);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("conversation");
        }

        writer.WriteStartObject("reasoning");
        WriteNullableString(writer, "effort", settings.ReasoningEffort);
        writer.WriteNull("summary");
        writer.WriteEndObject();
        writer.WriteString("service_tier", "default");
        writer.WriteBoolean("store", true);
        writer.WriteNumber("temperature", settings.Temperature ?? 1.0);
        writer.WriteStartObject("text");
        WriteTextFormat(writer, settings.TextFormat);
        writer.WriteString("verbosity", "medium");
        writer.WriteEndObject();
        WriteToolChoice(writer, response.ToolChoice);

        writer.WriteStartArray("tools");
        if (response.Shell is { } shell)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "shell");
            writer.WriteStartObject("environment");
            writer.WriteString("type", shell.Environment);
            if (shell.ContainerId is not null)
            {
                writer.WriteString("container_id", shell.ContainerId);
            }

            // A referenced container's network is its own, shown on the container, not a field of this environment.
            if (shell.NetworkPolicy is { } policy && shell.ContainerId is null)
            {
                writer.WritePropertyName("network_policy");
                ContainerJson.WriteNetworkPolicy(writer, policy);
            }

            writer.WriteEndObject();

            // Berth's extension, shown only when asked for: the default keeps OpenAI's shape.
            if (shell.RequireApproval == ApprovalModes.Patterns)
            {
                writer.WriteStartObject("require_approval");
                writer.WriteStartArray("patterns");
                foreach (var pattern in shell.ApprovalPatterns)
                {
                    writer.WriteStringValue(pattern);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            else if (shell.RequireApproval != ApprovalModes.Never)
            {
                writer.WriteString("require_approval", shell.RequireApproval);
            }

            writer.WriteEndObject();
        }

        foreach (var function in response.Functions)
        {
            WriteFunction(writer, function);
        }

        writer.WriteEndArray();
        writer.WriteNumber("top_p", settings.TopP ?? 1.0);
        writer.WriteString("truncation", settings.Truncation ?? ModelSettings.TruncateDisabled);
        WriteUsage(writer, response.Usage);
        WriteNullableString(writer, "user", settings.User);
        WriteNullableString(writer, "safety_identifier", settings.SafetyIdentifier);
        WriteNullableString(writer, "prompt_cache_key", settings.PromptCacheKey);

        writer.WriteStartObject("metadata");
        foreach (var (key, value) in response.Metadata)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();

        // Berth's extension: where to find this run in Jaeger. SDKs ignore fields they do not know.
        WriteNullableString(writer, "trace_id", response.TraceId);
        writer.WriteEndObject();
    }

    private static void WriteTextFormat(Utf8JsonWriter writer, TextFormatSpec? format)
    {
        writer.WriteStartObject("format");
        writer.WriteString("type", format?.Type ?? "text");
        if (format is { Type: TextFormatSpec.JsonSchema })
        {
            writer.WriteString("name", format.Name);
            WriteNullableString(writer, "description", format.Description);
            writer.WritePropertyName("schema");
            writer.WriteRawValue(format.Schema!);
            if (format.Strict is { } strict)
            {
                writer.WriteBoolean("strict", strict);
            }
            else
            {
                writer.WriteNull("strict");
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteToolChoice(Utf8JsonWriter writer, ToolChoiceSpec? choice)
    {
        if (choice is not { Mode: ToolChoiceSpec.Named })
        {
            writer.WriteString("tool_choice", choice?.Mode ?? ToolChoiceSpec.Auto);
            return;
        }

        writer.WriteStartObject("tool_choice");
        if (choice.Name == "shell")
        {
            writer.WriteString("type", "shell");
        }
        else
        {
            writer.WriteString("type", "function");
            writer.WriteString("name", choice.Name);
        }

        writer.WriteEndObject();
    }

    private static void WriteFunction(Utf8JsonWriter writer, FunctionToolSpec function)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "function");
        writer.WriteString("name", function.Name);
        WriteNullableString(writer, "description", function.Description);
        writer.WritePropertyName("parameters");
        if (function.Parameters is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(function.Parameters);
        }

        writer.WriteBoolean("strict", function.Strict);
        writer.WriteEndObject();
    }

    public static byte[] Serialize(ResponseSnapshot response) => JsonBytes.Write(writer => Write(writer, response));

    public static void WriteItem(Utf8JsonWriter writer, ResponseItem item)
    {
        writer.WriteStartObject();
        writer.WriteString("id", item.Id);
        writer.WriteString("type", item.Type);
        switch (item.Type)
        {
            case ResponseItem.Message:
                writer.WriteString("status", item.Status);
                writer.WriteString("role", "assistant");
                writer.WriteStartArray("content");

                // A message whose text has not arrived yet (a stream's output_item.added) has no content.
                if (item.Text is not null)
                {
                    writer.WriteStartObject();
                    writer.WriteString("type", "output_text");
                    writer.WriteString("text", item.Text);
                    writer.WriteStartArray("annotations");
                    writer.WriteEndArray();
                    writer.WriteStartArray("logprobs");
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                break;

            // A call that waits for approval reads as the call it will be, with the request's own id.
            case ResponseItem.ShellCall or ResponseItem.ShellApprovalRequest:
                writer.WriteString("call_id", item.CallId);
                if (item.Type == ResponseItem.ShellCall)
                {
                    writer.WriteString("status", item.Status);
                }

                writer.WriteStartObject("action");
                writer.WriteStartArray("commands");
                foreach (var command in item.Commands ?? [])
                {
                    writer.WriteStringValue(command);
                }

                writer.WriteEndArray();
                WriteNullableNumber(writer, "timeout_ms", item.TimeoutMs);
                WriteNullableNumber(writer, "max_output_length", item.MaxOutputLength);
                writer.WriteEndObject();
                break;

            case ResponseItem.FunctionCall:
                writer.WriteString("call_id", item.CallId);
                writer.WriteString("name", item.Name);
                writer.WriteString("arguments", item.Arguments ?? "");
                writer.WriteString("status", item.Status);
                break;

            case ResponseItem.ShellCallOutput:
                writer.WriteString("call_id", item.CallId);
                writer.WriteString("status", item.Status);
                WriteNullableNumber(writer, "max_output_length", item.MaxOutputLength);
                writer.WritePropertyName("output");
                ShellOutputJson.WriteOutputs(writer, item.Outputs ?? []);
                break;

            // The summary goes out sealed only: what the client holds is for passing back.
            case ResponseItem.Compaction:
                writer.WriteString("encrypted_content", item.EncryptedContent);
                break;
        }

        writer.WriteEndObject();
    }

    private static void WriteError(Utf8JsonWriter writer, ResponseError? error)
    {
        if (error is null)
        {
            writer.WriteNull("error");
            return;
        }

        writer.WriteStartObject("error");
        writer.WriteString("code", error.Code);
        writer.WriteString("message", error.Message);
        writer.WriteEndObject();
    }

    /// <summary><c>usage</c> in OpenAI's shape; Berth counts no cached or reasoning tokens apart.</summary>
    public static void WriteUsage(Utf8JsonWriter writer, TokenUsage usage)
    {
        writer.WriteStartObject("usage");
        writer.WriteNumber("input_tokens", usage.InputTokens);
        writer.WriteStartObject("input_tokens_details");
        writer.WriteNumber("cached_tokens", 0);
        writer.WriteEndObject();
        writer.WriteNumber("output_tokens", usage.OutputTokens);
        writer.WriteStartObject("output_tokens_details");
        writer.WriteNumber("reasoning_tokens", 0);
        writer.WriteEndObject();
        writer.WriteNumber("total_tokens", usage.TotalTokens);
        writer.WriteEndObject();
    }

    private static void WriteNullableString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteNullableNumber(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
