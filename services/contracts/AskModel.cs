namespace Berth.Contracts;

/// <summary>
/// Ask the model for one step of a response: sent by the session to the planners' model-call
/// queue, so that no session step waits on a model. The answer comes back as
/// <see cref="ModelAnswered"/>. Step numbers count from 1 within a response, and a step is asked
/// once: a second <see cref="AskModel"/> for the same step (a redelivery) takes the first answer.
/// </summary>
public sealed record AskModel
{
    public required Guid SessionId { get; init; }
    public required string ResponseId { get; init; }
    public required int Step { get; init; }
}
