using System.Text.Json;
using Berth.Contracts;
using Berth.ServiceDefaults;

namespace Berth.Api.Responses;

/// <summary>Renders a stored stream event as the <c>data</c> of OpenAI's server-sent event.</summary>
public static class StreamEventJson
{
    public static bool IsTerminal(ResponseStreamEvent e) =>
        e.Type is "response.completed" or "response.failed" or "response.cancelled" or "response.incomplete";

    /// <param name="response">
    /// The response as the event shows it: for <c>response.created</c> and <c>.in_progress</c>,
    /// the response before any output; for a terminal event, the finished response.
    /// </param>
    public static byte[] Serialize(ResponseStreamEvent e, ResponseSnapshot response) => Berth.ServiceDefaults.JsonBytes.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("type", e.Type);
        writer.WriteNumber("sequence_number", e.SequenceNumber);
        switch (e.Type)
        {
            case "response.created" or "response.in_progress" or "response.queued":
                writer.WritePropertyName("response");
                ResponseJson.Write(writer, response with
                {
                    Status = e.Status ?? response.Status,
                    Output = [],
                    Usage = new TokenUsage(0, 0),
                    CompletedAt = null,
                    Error = null,
                    IncompleteReason = null,
                });
                break;

            case var _ when IsTerminal(e):
                writer.WritePropertyName("response");
                ResponseJson.Write(writer, response);
                break;

            case "response.output_item.added" or "response.output_item.done":
                writer.WriteNumber("output_index", e.OutputIndex ?? 0);
                writer.WritePropertyName("item");
                ResponseJson.WriteItem(writer, e.Item!);
                break;

            case "response.content_part.added" or "response.content_part.done":
                WriteItemRef(writer, e);
                writer.WriteStartObject("part");
                writer.WriteString("type", "output_text");
                writer.WriteString("text", e.Text ?? "");
                writer.WriteStartArray("annotations");
                writer.WriteEndArray();
                writer.WriteStartArray("logprobs");
                writer.WriteEndArray();
                writer.WriteEndObject();
                break;

            case "response.output_text.delta":
                WriteItemRef(writer, e);
                writer.WriteString("delta", e.Text ?? "");
                writer.WriteStartArray("logprobs");
                writer.WriteEndArray();
                break;

            case "response.output_text.done":
                WriteItemRef(writer, e);
                writer.WriteString("text", e.Text ?? "");
                writer.WriteStartArray("logprobs");
                writer.WriteEndArray();
                break;

            case "response.function_call_arguments.delta":
                writer.WriteString("item_id", e.ItemId);
                writer.WriteNumber("output_index", e.OutputIndex ?? 0);
                writer.WriteString("delta", e.Text ?? "");
                break;

            case "response.function_call_arguments.done":
                writer.WriteString("item_id", e.ItemId);
                writer.WriteNumber("output_index", e.OutputIndex ?? 0);
                writer.WriteString("name", e.Item?.Name ?? "");
                writer.WriteString("arguments", e.Text ?? "");
                break;

            case "response.shell_call_command.added" or "response.shell_call_command.done":
                writer.WriteNumber("output_index", e.OutputIndex ?? 0);
                writer.WriteNumber("command_index", e.CommandIndex ?? 0);
                writer.WriteString("command", e.Text ?? "");
                break;

            case "response.shell_call_command.delta":
                writer.WriteNumber("output_index", e.OutputIndex ?? 0);
                writer.WriteNumber("command_index", e.CommandIndex ?? 0);
                writer.WriteString("delta", e.Text ?? "");
                break;

            case "response.shell_call_output_content.done":
                writer.WriteString("item_id", e.ItemId);
                writer.WriteNumber("output_index", e.OutputIndex ?? 0);
                writer.WriteNumber("command_index", e.CommandIndex ?? 0);
                writer.WritePropertyName("output");
                ShellOutputJson.WriteOutputs(writer, e.Output is null ? [] : [e.Output]);
                break;

            case "response.shell_call_output_content.delta":
                writer.WriteString("item_id", e.ItemId);
                writer.WriteNumber("output_index", e.OutputIndex ?? 0);
                writer.WriteNumber("command_index", e.CommandIndex ?? 0);
                writer.WriteStartObject("delta");
                writer.WriteString("stdout", e.Stdout ?? "");
                writer.WriteString("stderr", e.Stderr ?? "");
                writer.WriteEndObject();
                break;
        }

        writer.WriteEndObject();
    });

    private static void WriteItemRef(Utf8JsonWriter writer, ResponseStreamEvent e)
    {
        writer.WriteString("item_id", e.ItemId);
        writer.WriteNumber("output_index", e.OutputIndex ?? 0);
        writer.WriteNumber("content_index", 0);
    }
}
