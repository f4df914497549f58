namespace Berth.Contracts;

/// <summary>
/// A function the client offers the model beside the shell (<c>{"type": "function"}</c>). Berth
/// never runs it: the response ends with the model's <c>function_call</c> items, and the client
/// answers them in the next response's input.
/// </summary>
public sealed record FunctionToolSpec
{
    public required string Name { get; init; }
    public string? Description { get; init; }

    /// <summary>The JSON schema of the arguments, as the client wrote it; null when it gave none.</summary>
    public string? Parameters { get; init; }

    /// <summary>Whether the model must follow the schema exactly; OpenAI's default for the Responses API is true.</summary>
    public bool Strict { get; init; } = true;
}
