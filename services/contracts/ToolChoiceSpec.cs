namespace Berth.Contracts;

/// <summary>
/// The request's <c>tool_choice</c>: whether the model may, must or must not call a tool, or
/// which one it must call (<see cref="Name"/>: a function's name, or <c>shell</c>).
/// </summary>
public sealed record ToolChoiceSpec
{
    public const string Auto = "auto";
    public const string None = "none";
    public const string Required = "required";

    /// <summary>One tool, by <see cref="Name"/>.</summary>
    public const string Named = "named";

    public required string Mode { get; init; }
    public string? Name { get; init; }
}
