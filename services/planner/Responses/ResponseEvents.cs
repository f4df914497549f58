using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Responses;

/// <summary>
/// Writes a response's stream: events are stored first, numbered by the store, then announced
/// to every api instance. The api reads the store whenever an announcement is missing, so an
/// announcement lost with a failed attempt only delays a stream.
/// </summary>
public sealed class ResponseEvents(IResponseStore store)
{
    public const string Created = "response.created";
    public const string InProgress = "response.in_progress";
    public const string ItemAdded = "response.output_item.added";
    public const string ItemDone = "response.output_item.done";
    public const string PartAdded = "response.content_part.added";
    public const string PartDone = "response.content_part.done";
    public const string TextDelta = "response.output_text.delta";
    public const string TextDone = "response.output_text.done";
    public const string ShellOutputDelta = "response.shell_call_output_content.delta";
    public const string ArgumentsDelta = "response.function_call_arguments.delta";
    public const string ArgumentsDone = "response.function_call_arguments.done";
    public const string CommandAdded = "response.shell_call_command.added";
    public const string CommandDelta = "response.shell_call_command.delta";
    public const string CommandDone = "response.shell_call_command.done";
    public const string ShellOutputDone = "response.shell_call_output_content.done";

    /// <summary>Stores the events and keeps them in <paramref name="batch"/>, to be announced with the rest of a step's events.</summary>
    public async Task StoreAsync(AnnouncementBatch batch, string responseId, IReadOnlyList<KeyedEvent> events, CancellationToken cancellationToken) =>
        batch.Add(responseId, await store.AppendEventsAsync(responseId, events, cancellationToken));

    /// <summary><c>response.created</c>, <c>response.in_progress</c>, or the terminal <c>response.&lt;status&gt;</c>.</summary>
    public static KeyedEvent Lifecycle(string type, string status) =>
        new(type is Created or InProgress ? type : "terminal", New(type) with { Status = status });

    public static KeyedEvent Terminal(string status) => Lifecycle($"response.{status}", status);

    public static KeyedEvent Added(int outputIndex, ResponseItem item) =>
        new($"{item.Id}:added", New(ItemAdded) with { OutputIndex = outputIndex, Item = item });

    public static KeyedEvent Done(int outputIndex, ResponseItem item) =>
        new($"{item.Id}:done", New(ItemDone) with { OutputIndex = outputIndex, Item = item });

    /// <summary>A message whose text came whole, from added to done: its text is one delta.</summary>
    public static IReadOnlyList<KeyedEvent> Message(int outputIndex, ResponseItem message) =>
    [
        .. MessageStarted(outputIndex, message.Id),
        new($"{message.Id}:delta", New(TextDelta) with { OutputIndex = outputIndex, ItemId = message.Id, Text = message.Text ?? "" }),
        .. MessageDone(outputIndex, message),
    ];

    /// <summary>A message item and its text part begin; the text follows as deltas.</summary>
    public static IReadOnlyList<KeyedEvent> MessageStarted(int outputIndex, string itemId) =>
    [
        Added(outputIndex, new ResponseItem { Id = itemId, Type = ResponseItem.Message, Status = ItemStatus.InProgress }),
        new($"{itemId}:part.added", New(PartAdded) with { OutputIndex = outputIndex, ItemId = itemId, Text = "" }),
    ];

    /// <summary>Text streamed as it came; <paramref name="offset"/> (characters before it) keys it, so storing it again changes nothing.</summary>
    public static KeyedEvent StreamedText(int outputIndex, string itemId, int offset, string text) =>
        new($"{itemId}:delta@{offset}", New(TextDelta) with { OutputIndex = outputIndex, ItemId = itemId, Text = text });

    /// <summary>The message's text is whole: its part and item end.</summary>
    public static IReadOnlyList<KeyedEvent> MessageDone(int outputIndex, ResponseItem message)
    {
        var text = message.Text ?? "";
        return
        [
            new($"{message.Id}:text.done", New(TextDone) with { OutputIndex = outputIndex, ItemId = message.Id, Text = text }),
            new($"{message.Id}:part.done", New(PartDone) with { OutputIndex = outputIndex, ItemId = message.Id, Text = text }),
            Done(outputIndex, message),
        ];
    }

    /// <summary>A call to one of the client's functions, from added to done; its arguments came whole, so they are one delta.</summary>
    public static IReadOnlyList<KeyedEvent> FunctionCall(int outputIndex, ResponseItem call) =>
    [
        Added(outputIndex, call with { Status = ItemStatus.InProgress, Arguments = "" }),
        new($"{call.Id}:arguments.delta", New(ArgumentsDelta) with { OutputIndex = outputIndex, ItemId = call.Id, Text = call.Arguments ?? "" }),
        new($"{call.Id}:arguments.done", New(ArgumentsDone) with { OutputIndex = outputIndex, ItemId = call.Id, Item = call, Text = call.Arguments ?? "" }),
        Done(outputIndex, call),
    ];

    /// <summary>A shell call begins, and its commands with it: each came whole from the model, so each is one delta.</summary>
    public static IReadOnlyList<KeyedEvent> ShellCall(int outputIndex, ResponseItem call) =>
    [
        Added(outputIndex, call),
        .. (call.Commands ?? []).SelectMany((command, index) => new KeyedEvent[]
        {
            new($"{call.Id}:command{index}.added", New(CommandAdded) with { OutputIndex = outputIndex, CommandIndex = index, Text = "" }),
            new($"{call.Id}:command{index}.delta", New(CommandDelta) with { OutputIndex = outputIndex, CommandIndex = index, Text = command }),
            new($"{call.Id}:command{index}.done", New(CommandDone) with { OutputIndex = outputIndex, CommandIndex = index, Text = command }),
        }),
    ];

    /// <summary>Each command's whole output, before its output item is done.</summary>
    public static IEnumerable<KeyedEvent> ShellOutputsDone(int outputIndex, ResponseItem output) =>
        (output.Outputs ?? []).Select((one, index) =>
            new KeyedEvent($"{output.Id}:content{index}.done", New(ShellOutputDone) with { OutputIndex = outputIndex, ItemId = output.Id, CommandIndex = index, Output = one }));

    public static KeyedEvent ShellOutput(int outputIndex, string itemId, ToolCallOutputProduced chunk) =>
        new($"{itemId}:delta:{chunk.Chunk}", New(ShellOutputDelta) with
        {
            OutputIndex = outputIndex,
            ItemId = itemId,
            CommandIndex = chunk.CommandIndex,
            Stdout = chunk.Stdout,
            Stderr = chunk.Stderr,
        });

    private static ResponseStreamEvent New(string type) => new() { SequenceNumber = -1, Type = type };
}
