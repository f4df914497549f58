using Berth.Contracts;

namespace Berth.Planner.Responses;

/// <summary>
/// Where responses and their items live. The planner is its only writer, and the session saga
/// the only writer of a running response, so updates need no locking beyond the store's own.
/// </summary>
public interface IResponseStore
{
    Task<StoredResponse?> FindAsync(string responseId, CancellationToken cancellationToken);

    /// <summary>Adds a new response; false when one with that id exists already (a redelivered submission).</summary>
    Task<bool> TryAddAsync(StoredResponse response, CancellationToken cancellationToken);

    /// <summary>Applies a change to a stored response and returns the result.</summary>
    Task<ResponseSnapshot> UpdateAsync(string responseId, Func<ResponseSnapshot, ResponseSnapshot> change, CancellationToken cancellationToken);

    /// <summary>The response and its ancestors through <c>previous_response_id</c>, oldest first.</summary>
    Task<IReadOnlyList<StoredResponse>> GetChainAsync(string responseId, CancellationToken cancellationToken);
}
