// The SDK marks its chat file parts experimental; the wire shape is the chat API's documented one.
#pragma warning disable OPENAI001
using System.Text.Json;
using Berth.Contracts;
using Berth.Planner.Responses;
using Berth.ServiceDefaults;
using OpenAI.Chat;

namespace Berth.Planner.Model;

/// <summary>Turns a chain of stored responses into the Chat Completions messages the model sees.</summary>
internal static class Conversation
{
    /// <summary>What the model is told a compaction's summary is.</summary>
    public const string SummaryHeading = "Summary of the earlier part of this conversation, which was compacted to save space:";

    /// <param name="files">The bytes of the uploaded files the chain sends, by content address (<see cref="ModelFiles"/>).</param>
    public static List<ChatMessage> Build(IReadOnlyList<StoredResponse> chain, IReadOnlyDictionary<Uri, BinaryData>? files = null)
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
        // the next one's input, and calls a client sends back in the same input as their outputs.
        // A call that waited for approval and was declined (or never answered) did not run: the
        // model hears that in its place. One approved runs later, as a shell_call of its own.
        var decisions = chain.SelectMany(r => r.Input).Select(i => i.Approval).OfType<ApprovalDecision>()
            .GroupBy(d => d.RequestId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var notRun = chain.SelectMany(r => r.Snapshot.Output.Concat(ResentItems(r)))
            .Where(i => i.Type == ResponseItem.ShellApprovalRequest && !(decisions.TryGetValue(i.Id, out var decision) && decision.Approve))
            .Select(i => i.CallId!);

        var answered = chain.SelectMany(r => r.Snapshot.Output.Concat(ResentItems(r))).Where(i => i.Type == ResponseItem.ShellCallOutput).Select(i => i.CallId!)
            .Concat(chain.SelectMany(r => r.Input).Where(i => i.Role == InputMessage.Tool).Select(i => i.CallId!))
            .Concat(notRun)
            .ToHashSet(StringComparer.Ordinal);

        var transcript = new Transcript(messages, answered, decisions, files ?? new Dictionary<Uri, BinaryData>());

        // The newest compaction stands for what came before it: its summary replaces all but the
        // user's messages, up to the first item it kept whole.
        if (chain.SelectMany(r => ResentItems(r).Concat(r.Snapshot.Output)).LastOrDefault(i => i.Type == ResponseItem.Compaction) is { } compaction)
        {
            transcript.Compact(compaction);
        }

        foreach (var response in chain)
        {
            // A function's output follows the call it answers, before anything else the client says.
            var answers = response.Input.Where(i => i.Role == InputMessage.Tool && transcript.HasCall(i.CallId!)).ToList();
            foreach (var answer in answers)
            {
                transcript.Add(answer);
            }

            foreach (var input in response.Input.Except(answers))
            {
                transcript.Add(input);
            }

            foreach (var item in response.Snapshot.Output)
            {
                transcript.Add(item);
            }

            transcript.Flush();
        }

        return messages;
    }

    private static IEnumerable<ResponseItem> ResentItems(StoredResponse response) => response.Input.Select(i => i.Item).OfType<ResponseItem>();

    private static ChatMessage ToMessage(InputMessage input, IReadOnlyDictionary<Uri, BinaryData> files) => input.Role switch
    {
        // The SDK marks its developer message experimental, and the chat API reads both roles the same way.
        "system" or "developer" => new SystemChatMessage(input.Text),
        "assistant" => new AssistantChatMessage(input.Text),
        _ when input.Parts is { } parts => new UserChatMessage(parts.Select(part => ToPart(part, files))),
        _ => new UserChatMessage(input.Text),
    };

    /// <summary>
    /// A text part, an image or a file. Data URLs and uploaded files go as their bytes: the chat
    /// API takes a file no other way, and an image URL of that length could not carry one.
    /// </summary>
    private static ChatMessageContentPart ToPart(ContentPart part, IReadOnlyDictionary<Uri, BinaryData> files)
    {
        switch (part.Type)
        {
            case ContentPart.InputImage:
                var detail = new ChatImageDetailLevel(part.Detail ?? "auto");
                if (part.ContentAddress is { } image)
                {
                    return ChatMessageContentPart.CreateImagePart(files[image], part.MediaType!, detail);
                }

                return part.ImageUrl!.StartsWith("data:", StringComparison.Ordinal)
                    ? ChatMessageContentPart.CreateImagePart(DataOf(part.ImageUrl, out var imageType), imageType, detail)
                    : ChatMessageContentPart.CreateImagePart(new Uri(part.ImageUrl), detail);
            case ContentPart.InputFile:
                return part.ContentAddress is { } file
                    ? ChatMessageContentPart.CreateFilePart(files[file], part.MediaType!, part.Filename!)
                    : ChatMessageContentPart.CreateFilePart(DataOf(part.FileData!, out var fileType), fileType, part.Filename!);
            default:
                return ChatMessageContentPart.CreateTextPart(part.Text ?? "");
        }
    }

    /// <summary>The bytes of a <c>data:&lt;media type&gt;;base64,</c> URL the api checked.</summary>
    private static BinaryData DataOf(string url, out string mediaType)
    {
        var semicolon = url.IndexOf(';', StringComparison.Ordinal);
        mediaType = url[5..semicolon];
        return BinaryData.FromBytes(Convert.FromBase64String(url[(url.IndexOf(',', semicolon) + 1)..]));
    }

    /// <summary>
    /// Writes items as chat messages: an assistant's text and the calls that follow it become one
    /// assistant message, then the calls' outputs as tool messages. A call or output seen twice
    /// (in the chain and again as an item the client sent back) is written once.
    /// </summary>
    private sealed class Transcript(List<ChatMessage> messages, HashSet<string> answered, IReadOnlyDictionary<string, ApprovalDecision> decisions,
        IReadOnlyDictionary<Uri, BinaryData> files)
    {
        private readonly HashSet<string> _calls = new(StringComparer.Ordinal);
        private readonly HashSet<string> _results = new(StringComparer.Ordinal);
        private readonly List<ChatToolCall> _pendingCalls = [];
        private readonly List<ChatMessage> _pendingResults = [];
        private string? _text;

        public bool HasCall(string callId) => _calls.Contains(callId);

        private ResponseItem? _compaction;

        public void Compact(ResponseItem compaction) => _compaction = compaction;

        /// <summary>Whether the item is one the compaction in force stands for; at its end, its summary is written in their place.</summary>
        private bool Covered(string? id, bool usersOwn)
        {
            if (_compaction is not { } compaction)
            {
                return false;
            }

            if (id is not null && (id == (compaction.CompactsBefore ?? compaction.Id) || id == compaction.Id))
            {
                Flush();
                messages.Add(new SystemChatMessage($"{SummaryHeading}\n{compaction.Text}"));
                _compaction = null;
                return id == compaction.Id;
            }

            return !usersOwn;
        }

        public void Add(InputMessage input)
        {
            if (Covered(input.Item?.Id ?? input.Id, usersOwn: input.Role is "user" or "system" or "developer"))
            {
                return;
            }

            switch (input.Role)
            {
                case InputMessage.OutputItem:
                    Add(input.Item!);
                    break;
                case InputMessage.Tool:
                    AddResult(input.CallId!, new ToolChatMessage(input.CallId, input.Text));
                    break;
                case InputMessage.Reference:
                    // Resolved at intake; a stored input never holds one.
                    break;
                case InputMessage.ApprovalResponse:
                    // Heard where its request stood (a declined call), or as the approved call that ran.
                    break;
                default:
                    Flush();
                    messages.Add(ToMessage(input, files));
                    break;
            }
        }

        public void Add(ResponseItem item)
        {
            if (Covered(item.Id, usersOwn: false))
            {
                return;
            }

            switch (item.Type)
            {
                case ResponseItem.Message:
                    Flush();
                    _text = item.Text ?? "";
                    break;
                case ResponseItem.ShellCall:
                    AddCall(item.CallId!, ShellTool.Name, Arguments(item));
                    break;
                case ResponseItem.FunctionCall:
                    AddCall(item.CallId!, item.Name!, item.Arguments ?? "");
                    break;
                case ResponseItem.ShellCallOutput:
                    AddResult(item.CallId!, new ToolChatMessage(item.CallId, ShellOutputJson.Serialize(item.Outputs ?? [])));
                    break;
                case ResponseItem.ShellApprovalRequest when decisions.GetValueOrDefault(item.Id) is not { Approve: true }:
                    AddCall(item.CallId!, ShellTool.Name, Arguments(item));
                    AddResult(item.CallId!, new ToolChatMessage(item.CallId, NotRun(decisions.GetValueOrDefault(item.Id))));
                    break;
            }
        }

        /// <summary>What the model is told of a call that waited for approval and did not get it.</summary>
        private static string NotRun(ApprovalDecision? decision) => decision switch
        {
            null => "This shell call waited for the user's approval, which was not given, so its commands were not run.",
            { Reason: { Length: > 0 } reason } => $"The user declined this shell call, so its commands were not run. The user's reason: {reason}",
            _ => "The user declined this shell call, so its commands were not run. The user gave no reason.",
        };

        private void AddCall(string callId, string name, string arguments)
        {
            if (!answered.Contains(callId) || !_calls.Add(callId))
            {
                return;
            }

            if (_pendingResults.Count > 0)
            {
                Flush();
            }

            _pendingCalls.Add(ChatToolCall.CreateFunctionToolCall(callId, name, BinaryData.FromString(arguments)));
        }

        private void AddResult(string callId, ChatMessage result)
        {
            if (_calls.Contains(callId) && _results.Add(callId))
            {
                if (_pendingCalls.Count == 0 && _text is null)
                {
                    // The output of a call written already, in an earlier turn: it follows that turn directly.
                    messages.Add(result);
                }
                else
                {
                    _pendingResults.Add(result);
                }
            }
        }

        public void Flush()
        {
            if (_pendingCalls.Count > 0)
            {
                var assistant = new AssistantChatMessage(_pendingCalls);
                if (!string.IsNullOrEmpty(_text))
                {
                    assistant.Content.Add(ChatMessageContentPart.CreateTextPart(_text));
                }

                messages.Add(assistant);
                messages.AddRange(_pendingResults);
            }
            else if (_text is not null)
            {
                messages.Add(new AssistantChatMessage(_text));
            }

            _text = null;
            _pendingCalls.Clear();
            _pendingResults.Clear();
        }
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
