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

        // Only calls that have an output go back to the model, and only outputs of calls it made:
        // the chat API refuses either alone (a response that failed while a command ran leaves a
        // call behind). Shell calls are answered in their own response, the client's functions in
        // the next one's input.
        var answered = chain.SelectMany(r => r.Snapshot.Output).Where(i => i.Type == ResponseItem.ShellCallOutput).Select(i => i.CallId!)
            .Concat(chain.SelectMany(r => r.Input).Where(i => i.Role == InputMessage.Tool).Select(i => i.CallId!))
            .ToHashSet(StringComparer.Ordinal);
        var made = chain.SelectMany(r => r.Snapshot.Output).Where(i => i.Type == ResponseItem.FunctionCall).Select(i => i.CallId!)
            .ToHashSet(StringComparer.Ordinal);

        foreach (var response in chain)
        {
            // A function's output follows the call it answers, before anything else the client says.
            messages.AddRange(response.Input.Where(i => i.Role == InputMessage.Tool && made.Contains(i.CallId!)).Select(i => new ToolChatMessage(i.CallId, i.Text)));
            messages.AddRange(response.Input.Where(i => i.Role != InputMessage.Tool).Select(ToMessage));
            AddOutput(messages, response.Snapshot.Output, answered);
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

    private static void AddOutput(List<ChatMessage> messages, IReadOnlyList<ResponseItem> output, HashSet<string> answered)
    {
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
                case ResponseItem.FunctionCall when answered.Contains(item.CallId!):
                    if (results.Count > 0)
                    {
                        Flush();
                    }

                    calls.Add(ChatToolCall.CreateFunctionToolCall(item.CallId, item.Name, BinaryData.FromString(item.Arguments ?? "")));
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
