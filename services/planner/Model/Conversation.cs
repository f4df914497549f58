using System.Text.Json;
using Berth.Contracts;
using Berth.Planner.Responses;
using Berth.ServiceDefaults;
using OpenAI.Chat;

namespace Berth.Planner.Model;

/// <summary>Turns a chain of stored responses into the Chat Completions messages the model sees.</summary>
public static class Conversation
{
    public static List<ChatMessage> Build(IReadOnlyList<StoredResponse> chain)
    {
        var messages = new List<ChatMessage>();
        var current = chain[^1];

        // As on OpenAI, instructions apply to the response that gives them, not to its successors.
        if (!string.IsNullOrEmpty(current.Snapshot.Instructions))
        {
            messages.Add(new SystemChatMessage(current.Snapshot.Instructions));
        }

        foreach (var response in chain)
        {
            messages.AddRange(response.Input.Select(ToMessage));
            AddOutput(messages, response.Snapshot.Output);
        }

        return messages;
    }

    private static ChatMessage ToMessage(InputMessage input) => input.Role switch
    {
        // The SDK marks its developer message experimental, and the chat API reads both roles the same way.
        "system" or "developer" => new SystemChatMessage(input.Text),
        "assistant" => new AssistantChatMessage(input.Text),
        _ => new UserChatMessage(input.Text),
    };

    private static void AddOutput(List<ChatMessage> messages, IReadOnlyList<ResponseItem> output)
    {
        // Only calls that have an output go back to the model: the chat API refuses a tool call
        // without its result (a response that failed while a command ran leaves one behind).
        var answered = output.Where(i => i.Type == ResponseItem.ShellCallOutput).Select(i => i.CallId).ToHashSet(StringComparer.Ordinal);

        string? text = null;
        var calls = new List<ChatToolCall>();
        var results = new List<ChatMessage>();

        void Flush()
        {
            if (calls.Count > 0)
            {
                var assistant = new AssistantChatMessage(calls);
                if (!string.IsNullOrEmpty(text))
                {
                    assistant.Content.Add(ChatMessageContentPart.CreateTextPart(text));
                }

                messages.Add(assistant);
                messages.AddRange(results);
            }
            else if (text is not null)
            {
                messages.Add(new AssistantChatMessage(text));
            }

            text = null;
            calls.Clear();
            results.Clear();
        }

        foreach (var item in output)
        {
            switch (item.Type)
            {
                case ResponseItem.Message:
                    Flush();
                    text = item.Text ?? "";
                    break;
                case ResponseItem.ShellCall when answered.Contains(item.CallId!):
                    if (results.Count > 0)
                    {
                        Flush();
                    }

                    calls.Add(ChatToolCall.CreateFunctionToolCall(item.CallId, ShellTool.Name, BinaryData.FromString(Arguments(item))));
                    break;
                case ResponseItem.ShellCallOutput:
                    results.Add(new ToolChatMessage(item.CallId, ShellOutputJson.Serialize(item.Outputs ?? [])));
                    break;
            }
        }

        Flush();
    }

    private static string Arguments(ResponseItem call)
    {
        var arguments = new Dictionary<string, object> { ["commands"] = call.Commands ?? [] };
        if (call.TimeoutMs is { } timeout)
        {
            arguments["timeout_ms"] = timeout;
        }

        if (call.MaxOutputLength is { } max)
        {
            arguments["max_output_length"] = max;
        }

        return JsonSerializer.Serialize(arguments);
    }
}
