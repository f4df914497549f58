using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Responses;

/// <summary>
/// Writes a response's stream: events are stored first, numbered by the store, then announced
/// to every api instance. The api reads the store whenever an announcement is missing, so an
/// announcement lost with a failed attempt only delays a stream.
/// </summary>
internal sealed class ResponseEvents(IResponseStore store)
{
    /// <summary>Stores the events and keeps them in <paramref name="batch"/>, to be announced with the rest of a step's events.</summary>
    public async Task StoreAsync(AnnouncementBatch batch, string responseId, IReadOnlyList<KeyedEvent> events, CancellationToken cancellationToken) =>
        batch.Add(responseId, await store.AppendEventsAsync(responseId, events, cancellationToken));

    /// <summary><c>response.created</c>, <c>response.in_progress</c>, or the terminal <c>response.&lt;status&gt;</c>.</summary>
    public static KeyedEvent Lifecycle(string type, string status) =>
        new(type is StreamEventTypes.Created or StreamEventTypes.InProgress ? type : "terminal", New(type) with { Status = status });

    public static KeyedEvent Terminal(string status) => Lifecycle(StreamEventTypes.Terminal(status), status);

    public static KeyedEvent Added(int outputIndex, ResponseItem item) =>
        new($"{item.Id}:added", New(StreamEventTypes.ItemAdded) with { OutputIndex = outputIndex, Item = item });

    public static KeyedEvent Done(int outputIndex, ResponseItem item) =>
        new($"{item.Id}:done", New(StreamEventTypes.ItemDone) with { OutputIndex = outputIndex, Item = item });

    /// <summary>A message whose text came whole, from added to done: its text is one delta.</summary>
    public static IReadOnlyList<KeyedEvent> Message(int outputIndex, ResponseItem message) =>
    [
        .. MessageStarted(outputIndex, message.Id),
        new($"{message.Id}:delta", New(StreamEventTypes.TextDelta) with { OutputIndex = outputIndex, ItemId = message.Id, Text = message.Text ?? "" }),
        .. MessageDone(outputIndex, message),
    ];

    /// <summary>A message item and its text part begin; the text follows as deltas.</summary>
    public static IReadOnlyList<KeyedEvent> MessageStarted(int outputIndex, string itemId) =>
    [
        Added(outputIndex, new ResponseItem { Id = itemId, Type = ResponseItem.Message, Status = ItemStatus.InProgress }),
        new($"{itemId}:part.added", New(StreamEventTypes.PartAdded) with { OutputIndex = outputIndex, ItemId = itemId, Text = "" }),
    ];

    /// <summary>Text streamed as it came; <paramref name="offset"/> (characters before it) keys it, so storing it again changes nothing.</summary>
    public static KeyedEvent StreamedText(int outputIndex, string itemId, int offset, string text) =>
        new($"{itemId}:delta@{offset}", New(StreamEventTypes.TextDelta) with { OutputIndex = outputIndex, ItemId = itemId, Text = text });

    /// <summary>The message's text is whole: its part and item end.</summary>
    public static IReadOnlyList<KeyedEvent> MessageDone(int outputIndex, ResponseItem message)
    {
        var text = message.Text ?? "";
        return
        [
            new($"{message.Id}:text.done", New(StreamEventTypes.TextDone) with { OutputIndex = outputIndex, ItemId = message.Id, Text = text }),
            new($"{message.Id}:part.done", New(StreamEventTypes.PartDone) with { OutputIndex = outputIndex, ItemId = message.Id, Text = text }),
            Done(outputIndex, message),
        ];
    }

    /// <summary>A call to one of the client's functions, from added to done; its arguments came whole, so they are one delta.</summary>
    public static IReadOnlyList<KeyedEvent> FunctionCall(int outputIndex, ResponseItem call) =>
    [
        Added(outputIndex, call with { Status = ItemStatus.InProgress, Arguments = "" }),
        new($"{call.Id}:arguments.delta", New(StreamEventTypes.ArgumentsDelta) with { OutputIndex = outputIndex, ItemId = call.Id, Text = call.Arguments ?? "" }),
        new($"{call.Id}:arguments.done", New(StreamEventTypes.ArgumentsDone) with { OutputIndex = outputIndex, ItemId = call.Id, Item = call, Text = call.Arguments ?? "" }),
        Done(outputIndex, call),
    ];

    /// <summary>A shell call begins, and its commands with it: each came whole from the model, so each is one delta.</summary>
    public static IReadOnlyList<KeyedEvent> ShellCall(int outputIndex, ResponseItem call) =>
    [
        Added(outputIndex, call),
        .. (call.Commands ?? []).SelectMany((command, index) => new KeyedEvent[]
        {
            new($"{call.Id}:command{index}.added", New(StreamEventTypes.CommandAdded) with { OutputIndex = outputIndex, CommandIndex = index, Text = "" }),
            new($"{call.Id}:command{index}.delta", New(StreamEventTypes.CommandDelta) with { OutputIndex = outputIndex, CommandIndex = index, Text = command }),
            new($"{call.Id}:command{index}.done", New(StreamEventTypes.CommandDone) with { OutputIndex = outputIndex, CommandIndex = index, Text = command }),
        }),
    ];

    /// <summary>Each command's whole output, before its output item is done.</summary>
    public static IEnumerable<KeyedEvent> ShellOutputsDone(int outputIndex, ResponseItem output) =>
        (output.Outputs ?? []).Select((one, index) =>
            new KeyedEvent($"{output.Id}:content{index}.done", New(StreamEventTypes.ShellOutputDone) with { OutputIndex = outputIndex, ItemId = output.Id, CommandIndex = index, Output = one }));

    public static KeyedEvent ShellOutput(int outputIndex, string itemId, ToolCallOutputProduced chunk) =>
        new($"{itemId}:delta:{chunk.Chunk}", New(StreamEventTypes.ShellOutputDelta) with
        {
            OutputIndex = outputIndex,
            ItemId = itemId,
            CommandIndex = chunk.CommandIndex,
            Stdout = chunk.Stdout,
            Stderr = chunk.Stderr,
        });

    private static ResponseStreamEvent New(string type) => new() { SequenceNumber = -1, Type = type };
}
