namespace Berth.Contracts;

/// <summary>
/// One item of a request's input: a message, whose role is user, system, developer or assistant;
/// or a <c>function_call_output</c>, whose role is <see cref="Tool"/>, with the
/// <see cref="CallId"/> it answers and the output as its text.
/// </summary>
public sealed record InputMessage(string Role, string Text)
{
    public const string Tool = "tool";

    /// <summary>For a function call's output: the call it answers.</summary>
    public string? CallId { get; init; }
}
