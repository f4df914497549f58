namespace Berth.Contracts;

/// <summary>
/// One output item. Flat rather than polymorphic so it serializes the same everywhere:
/// <see cref="Type"/> says which fields are set.
/// <list type="bullet">
/// <item><c>message</c>: <see cref="Text"/>.</item>
/// <item><c>shell_call</c>: <see cref="CallId"/>, <see cref="Commands"/>, <see cref="TimeoutMs"/>, <see cref="MaxOutputLength"/>.</item>
/// <item><c>shell_call_output</c>: <see cref="CallId"/>, <see cref="Outputs"/>, <see cref="MaxOutputLength"/>.</item>
/// <item><c>function_call</c>: <see cref="CallId"/>, <see cref="Name"/>, <see cref="Arguments"/>.</item>
/// <item><c>shell_approval_request</c> (a Berth extension): a shell call that waits for a person's approval, as a <c>shell_call</c>'s fields.</item>
/// <item><c>reasoning</c>, only as input a client sends back: its summary as <see cref="Text"/>.</item>
/// </list>
/// </summary>
public sealed record ResponseItem
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    public string Status { get; init; } = ItemStatus.Completed;
    public string? Text { get; init; }
    public string? CallId { get; init; }
    public IReadOnlyList<string>? Commands { get; init; }
    public int? TimeoutMs { get; init; }
    public int? MaxOutputLength { get; init; }
    public IReadOnlyList<CommandOutput>? Outputs { get; init; }
    public string? Name { get; init; }
    public string? Arguments { get; init; }

    /// <summary>
    /// A <c>compaction</c> item's summary, sealed for the client (<see cref="Text"/> holds it in
    /// the clear, for the planner's own use): what a client passes back to carry on from it.
    /// </summary>
    public string? EncryptedContent { get; init; }

    /// <summary>
    /// A <c>compaction</c> item made in a run: the id of the first item it kept whole. It stands
    /// for everything but the user's messages before that item; without one (a compaction item
    /// a client sent), for everything before it.
    /// </summary>
    public string? CompactsBefore { get; init; }

    public const string Message = "message";
    public const string ShellCall = "shell_call";
    public const string ShellCallOutput = "shell_call_output";
    public const string FunctionCall = "function_call";
    public const string Reasoning = "reasoning";
    public const string Compaction = "compaction";
    public const string ShellApprovalRequest = "shell_approval_request";
}
