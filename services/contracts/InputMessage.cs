namespace Berth.Contracts;

/// <summary>
/// One item of a request's input. <see cref="Role"/> says which kind:
/// <list type="bullet">
/// <item>a message, whose role is user, system, developer or assistant, with its <see cref="Text"/>;</item>
/// <item>a <c>function_call_output</c> (<see cref="Tool"/>), with the <see cref="CallId"/> it answers and the output as its text;</item>
/// <item>an output item the client sends back (<see cref="OutputItem"/>), as clients that keep their own history do, in <see cref="Item"/>;</item>
/// <item>a <c>shell_approval_response</c> (<see cref="ApprovalResponse"/>), a person's answer to the previous response's <c>shell_approval_request</c>, in <see cref="Approval"/>;</item>
/// <item>an <c>item_reference</c> (<see cref="Reference"/>) to a stored item by its <see cref="Id"/>: the planner replaces it with the item at intake, so a stored input never holds one.</item>
/// </list>
/// </summary>
public sealed record InputMessage(string Role, string Text)
{
    public const string Tool = "tool";
    public const string OutputItem = "output_item";
    public const string Reference = "item_reference";
    public const string ApprovalResponse = "shell_approval_response";

    /// <summary>For a function call's output: the call it answers.</summary>
    public string? CallId { get; init; }

    /// <summary>The item's id, as <c>GET /v1/responses/{id}/input_items</c> lists it; for a reference, the id of the item referred to. Null in inputs stored before ids were given.</summary>
    public string? Id { get; init; }

    /// <summary>For an output item sent back as input: the item, typed as in a response's output.</summary>
    public ResponseItem? Item { get; init; }

    /// <summary>
    /// For a user message with images: its parts in order, text and images. Null for a message
    /// of text alone, whose <see cref="Text"/> is all there is; <see cref="Text"/> is always the
    /// message's text parts joined.
    /// </summary>
    public IReadOnlyList<ContentPart>? Parts { get; init; }

    /// <summary>For a <c>shell_approval_response</c>: the answer, and who gave it when.</summary>
    public ApprovalDecision? Approval { get; init; }
}
