namespace Berth.Contracts;

/// <summary>A call the model made to one of the client's functions; the client runs it.</summary>
public sealed record FunctionCallSpec
{
    public required string CallId { get; init; }
    public required string Name { get; init; }

    /// <summary>The arguments as the model wrote them: JSON text, not checked against the schema.</summary>
    public required string Arguments { get; init; }
}
