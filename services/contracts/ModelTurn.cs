namespace Berth.Contracts;

/// <summary>What the model said at one step of a response (some shell calls, some text, or both), or why it could not be asked.</summary>
public sealed record ModelTurn
{
    public string? Text { get; init; }
    public IReadOnlyList<ShellCallSpec> ShellCalls { get; init; } = [];

    /// <summary>Calls to the client's functions: the response ends with them, once its shell calls have run.</summary>
    public IReadOnlyList<FunctionCallSpec> FunctionCalls { get; init; } = [];
    /// <summary>Usage of this step's model calls: the answer's, and a compaction's when one was made.</summary>
    public TokenUsage Usage { get; init; } = new(0, 0);

    /// <summary>The <c>compaction</c> item made before this step's model call, stored ahead of the step's other items.</summary>
    public ResponseItem? Compaction { get; init; }

    /// <summary>
    /// The text was streamed as it came: its message item, its content part and its deltas are
    /// in the response's events already, and only what ends them is left to store.
    /// </summary>
    public bool TextStreamed { get; init; }

    /// <summary>Set when the step could not be taken; the response then ends <c>failed</c> with it.</summary>
    public ResponseError? Error { get; init; }

    public static ModelTurn Failed(string code, string message) => new() { Error = new ResponseError(code, message) };
}
