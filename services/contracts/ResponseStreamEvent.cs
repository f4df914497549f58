namespace Berth.Contracts;

/// <summary>
/// One event of a response's stream, as the planner stored it. Flat like <see cref="ResponseItem"/>:
/// <see cref="Type"/> says which fields are set. The api renders it as OpenAI's server-sent event.
/// <list type="bullet">
/// <item><c>response.created</c>, <c>response.in_progress</c> and the terminal events: <see cref="Status"/>.</item>
/// <item><c>response.output_item.added</c> and <c>.done</c>: <see cref="OutputIndex"/>, <see cref="Item"/>.</item>
/// <item><c>response.content_part.*</c>, <c>response.output_text.*</c>: <see cref="OutputIndex"/>, <see cref="ItemId"/>, and <see cref="Text"/> (the delta, or the whole text when done).</item>
/// <item><c>response.shell_call_command.added</c>, <c>.delta</c> and <c>.done</c>: <see cref="OutputIndex"/>, <see cref="CommandIndex"/>, and <see cref="Text"/> (the command, or its delta).</item>
/// <item><c>response.shell_call_output_content.delta</c>: <see cref="OutputIndex"/>, <see cref="ItemId"/>, <see cref="CommandIndex"/>, <see cref="Stdout"/>, <see cref="Stderr"/>.</item>
/// <item><c>response.shell_call_output_content.done</c>: <see cref="OutputIndex"/>, <see cref="ItemId"/>, <see cref="CommandIndex"/>, <see cref="Output"/>.</item>
/// </list>
/// </summary>
public sealed record ResponseStreamEvent
{
    /// <summary>0 for <c>response.created</c>, then one more for every event, with no gaps.</summary>
    public required int SequenceNumber { get; init; }
    public required string Type { get; init; }
    public string? Status { get; init; }
    public int? OutputIndex { get; init; }
    public ResponseItem? Item { get; init; }
    public string? ItemId { get; init; }
    public string? Text { get; init; }
    public int? CommandIndex { get; init; }
    public string? Stdout { get; init; }
    public string? Stderr { get; init; }

    /// <summary>For <c>response.shell_call_output_content.done</c>: the command's whole output and how it ended.</summary>
    public CommandOutput? Output { get; init; }
}
