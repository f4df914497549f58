using System.Text.Json;

namespace Berth.ScriptedModel;

/// <summary>The parts of a chat completion request a script looks at.</summary>
public sealed record ChatRequest(string Model, IReadOnlyList<ChatTurn> Messages, IReadOnlyList<string> ToolNames, JsonElement Raw)
{
    /// <summary>The last user message, and what came after it: the current task.</summary>
    public int LastUserIndex => Messages.Select((m, i) => (m, i)).LastOrDefault(p => p.m.Role == "user", (null!, -1)).Item2;

    public string LastUserText => LastUserIndex >= 0 ? Messages[LastUserIndex].Content : "";

    public IEnumerable<ChatTurn> SinceLastUser => Messages.Skip(LastUserIndex + 1);

    public static ChatRequest Parse(JsonElement body)
    {
        var messages = new List<ChatTurn>();
        foreach (var message in body.GetProperty("messages").EnumerateArray())
        {
            var calls = new List<ChatToolCall>();
            if (message.TryGetProperty("tool_calls", out var toolCalls) && toolCalls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in toolCalls.EnumerateArray())
                {
                    var function = call.GetProperty("function");
                    calls.Add(new ChatToolCall(call.GetProperty("id").GetString()!, function.GetProperty("name").GetString()!, function.GetProperty("arguments").GetString()!));
                }
            }

            messages.Add(new ChatTurn(
                message.GetProperty("role").GetString()!,
                ContentText(message),
                calls,
                message.TryGetProperty("tool_call_id", out var id) ? id.GetString() : null));
        }

        var tools = new List<string>();
        if (body.TryGetProperty("tools", out var offered) && offered.ValueKind == JsonValueKind.Array)
        {
            tools.AddRange(offered.EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString()!));
        }

        return new ChatRequest(body.GetProperty("model").GetString()!, messages, tools, body.Clone());
    }

    private static string ContentText(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            return "";
        }

        return content.ValueKind switch
        {
            JsonValueKind.String => content.GetString()!,
            JsonValueKind.Array => string.Concat(content.EnumerateArray()
                .Where(part => part.TryGetProperty("text", out _))
                .Select(part => part.GetProperty("text").GetString())),
            _ => "",
        };
    }
}

public sealed record ChatTurn(string Role, string Content, IReadOnlyList<ChatToolCall> ToolCalls, string? ToolCallId);

public sealed record ChatToolCall(string Id, string Name, string Arguments);
