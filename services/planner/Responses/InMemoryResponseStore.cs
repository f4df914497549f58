using System.Collections.Concurrent;
using Berth.Contracts;

namespace Berth.Planner.Responses;

/// <summary>
/// The embedded store: everything lives in this planner process and is gone when it stops.
/// Right for a single planner and for CI; MongoDB is the store for anything that must survive.
/// </summary>
public sealed class InMemoryResponseStore : IResponseStore
{
    private readonly ConcurrentDictionary<string, StoredResponse> _responses = new(StringComparer.Ordinal);

    public Task<StoredResponse?> FindAsync(string responseId, CancellationToken cancellationToken) =>
        Task.FromResult(_responses.GetValueOrDefault(responseId));

    public Task<bool> TryAddAsync(StoredResponse response, CancellationToken cancellationToken) =>
        Task.FromResult(_responses.TryAdd(response.Id, response));

    public Task<ResponseSnapshot> UpdateAsync(string responseId, Func<ResponseSnapshot, ResponseSnapshot> change, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!_responses.TryGetValue(responseId, out var current))
            {
                throw new KeyNotFoundException($"No stored response '{responseId}'.");
            }

            var updated = current with { Snapshot = change(current.Snapshot) };
            if (_responses.TryUpdate(responseId, updated, current))
            {
                return Task.FromResult(updated.Snapshot);
            }
        }
    }

    public Task<IReadOnlyList<StoredResponse>> GetChainAsync(string responseId, CancellationToken cancellationToken)
    {
        var chain = new List<StoredResponse>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var id = responseId; id is not null && seen.Add(id) && _responses.TryGetValue(id, out var response); id = response.Snapshot.PreviousResponseId)
        {
            chain.Add(response);
        }

        chain.Reverse();
        return Task.FromResult<IReadOnlyList<StoredResponse>>(chain);
    }
}
