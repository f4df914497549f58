namespace Berth.Contracts;

/// <summary>Ask the model for the next step of a response, given everything stored so far.</summary>
public sealed record CallModel
{
    public required Guid SessionId { get; init; }
    public required string ResponseId { get; init; }
    /// <summary>1 for the first model call of the response; lets late replies be told apart.</summary>
    public required int Step { get; init; }
}
