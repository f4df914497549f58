using Berth.Contracts;
using Berth.ServiceDefaults;

namespace Berth.Api.Responses;

/// <summary>
/// The <c>data</c> of each of OpenAI's server-sent events, one record per event shape, fields in
/// the order OpenAI writes them. The event's <c>type</c> picks the shape (<see cref="From"/>).
/// </summary>
internal static class StreamEventObjects
{
    /// <param name="response">
    /// The response as the event shows it: for <c>response.created</c> and <c>.in_progress</c>,
    /// the response before any output; for a terminal event, the finished response.
    /// </param>
    public static object From(ResponseStreamEvent e, ResponseSnapshot response) => e.Type switch
    {
        StreamEventTypes.Created or StreamEventTypes.InProgress or StreamEventTypes.Queued =>
            new ResponseEventObject(e.Type, e.SequenceNumber, ResponseObject.From(response with
            {
                Status = e.Status ?? response.Status,
                Output = [],
                Usage = new TokenUsage(0, 0),
                CompletedAt = null,
                Error = null,
                IncompleteReason = null,
            })),
        _ when StreamEventTypes.IsTerminal(e.Type) => new ResponseEventObject(e.Type, e.SequenceNumber, ResponseObject.From(response)),
        StreamEventTypes.ItemAdded or StreamEventTypes.ItemDone =>
            new OutputItemEventObject(e.Type, e.SequenceNumber, e.OutputIndex ?? 0, ResponseItemObjects.From(e.Item!)),
        StreamEventTypes.PartAdded or StreamEventTypes.PartDone =>
            new ContentPartEventObject(e.Type, e.SequenceNumber, e.ItemId, e.OutputIndex ?? 0, 0, new OutputTextObject(e.Text ?? "")),
        StreamEventTypes.TextDelta => new TextDeltaEventObject(e.Type, e.SequenceNumber, e.ItemId, e.OutputIndex ?? 0, 0, e.Text ?? "", []),
        StreamEventTypes.TextDone => new TextDoneEventObject(e.Type, e.SequenceNumber, e.ItemId, e.OutputIndex ?? 0, 0, e.Text ?? "", []),
        StreamEventTypes.ArgumentsDelta => new ArgumentsDeltaEventObject(e.Type, e.SequenceNumber, e.ItemId, e.OutputIndex ?? 0, e.Text ?? ""),
        StreamEventTypes.ArgumentsDone => new ArgumentsDoneEventObject(e.Type, e.SequenceNumber, e.ItemId, e.OutputIndex ?? 0, e.Item?.Name ?? "", e.Text ?? ""),
        StreamEventTypes.CommandAdded or StreamEventTypes.CommandDone =>
            new CommandEventObject(e.Type, e.SequenceNumber, e.OutputIndex ?? 0, e.CommandIndex ?? 0, e.Text ?? ""),
        StreamEventTypes.CommandDelta => new CommandDeltaEventObject(e.Type, e.SequenceNumber, e.OutputIndex ?? 0, e.CommandIndex ?? 0, e.Text ?? ""),
        StreamEventTypes.ShellOutputDone => new ShellOutputDoneEventObject(e.Type, e.SequenceNumber, e.ItemId, e.OutputIndex ?? 0, e.CommandIndex ?? 0,
            ShellOutputJson.Shape(e.Output is null ? [] : [e.Output])),
        StreamEventTypes.ShellOutputDelta => new ShellOutputDeltaEventObject(e.Type, e.SequenceNumber, e.ItemId, e.OutputIndex ?? 0, e.CommandIndex ?? 0,
            new ShellStreamsObject(e.Stdout ?? "", e.Stderr ?? "")),
        _ => new BareEventObject(e.Type, e.SequenceNumber),
    };
}

/// <summary><c>response.created</c>, <c>.in_progress</c>, <c>.queued</c> and the terminal events: the response as it then stood.</summary>
internal sealed record ResponseEventObject(string Type, int SequenceNumber, ResponseObject Response);

internal sealed record OutputItemEventObject(string Type, int SequenceNumber, int OutputIndex, object Item);

internal sealed record ContentPartEventObject(string Type, int SequenceNumber, string? ItemId, int OutputIndex, int ContentIndex, OutputTextObject Part);

internal sealed record TextDeltaEventObject(string Type, int SequenceNumber, string? ItemId, int OutputIndex, int ContentIndex, string Delta, IReadOnlyList<string> Logprobs);

internal sealed record TextDoneEventObject(string Type, int SequenceNumber, string? ItemId, int OutputIndex, int ContentIndex, string Text, IReadOnlyList<string> Logprobs);

internal sealed record ArgumentsDeltaEventObject(string Type, int SequenceNumber, string? ItemId, int OutputIndex, string Delta);

internal sealed record ArgumentsDoneEventObject(string Type, int SequenceNumber, string? ItemId, int OutputIndex, string Name, string Arguments);

internal sealed record CommandEventObject(string Type, int SequenceNumber, int OutputIndex, int CommandIndex, string Command);

internal sealed record CommandDeltaEventObject(string Type, int SequenceNumber, int OutputIndex, int CommandIndex, string Delta);

internal sealed record ShellOutputDoneEventObject(string Type, int SequenceNumber, string? ItemId, int OutputIndex, int CommandIndex, IReadOnlyList<ShellOutputObject> Output);

internal sealed record ShellOutputDeltaEventObject(string Type, int SequenceNumber, string? ItemId, int OutputIndex, int CommandIndex, ShellStreamsObject Delta);

internal sealed record ShellStreamsObject(string Stdout, string Stderr);

/// <summary>An event whose type this api writes no fields of beyond its number.</summary>
internal sealed record BareEventObject(string Type, int SequenceNumber);
