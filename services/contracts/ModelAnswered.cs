namespace Berth.Contracts;

/// <summary>
/// The model answered one step of a response. The turn travels inline, or, when it is too large
/// for a message, in the payload store at <see cref="TurnAddress"/> (which expires on its own).
/// </summary>
public sealed record ModelAnswered
{
    public required Guid SessionId { get; init; }
    public required string ResponseId { get; init; }
    public required int Step { get; init; }
    public ModelTurn? Turn { get; init; }
    public Uri? TurnAddress { get; init; }
}
