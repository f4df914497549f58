using Berth.Contracts;

namespace Berth.Planner.Model;

/// <summary>Asks the model for the next step of a stored response.</summary>
internal interface IModelCaller
{
    /// <summary>A model error is a failed <see cref="ModelTurn"/>, not an exception: retrying the step could not help.</summary>
    Task<ModelTurn> AskAsync(Guid sessionId, string responseId, int stepNumber, CancellationToken cancellationToken);
}
