using System.Collections.Concurrent;
using Berth.Contracts;

namespace Berth.Planner.Responses;

/// <summary>
/// The embedded store: everything lives in this planner process and is gone when it stops.
/// Right for a single planner and for CI; MongoDB is the store for anything that must survive.
/// </summary>
internal sealed class InMemoryResponseStore : IResponseStore
{
    private readonly ConcurrentDictionary<string, Entry> _responses = new(StringComparer.Ordinal);

    public Task<StoredResponse?> FindAsync(string responseId, CancellationToken cancellationToken) =>
        Task.FromResult(_responses.TryGetValue(responseId, out var entry) ? entry.Read() : null);

    public Task<ResponseOwner?> FindOwnerAsync(string responseId, CancellationToken cancellationToken) =>
        Task.FromResult(_responses.TryGetValue(responseId, out var entry)
            ? new ResponseOwner(Tenants.Tenancy.Of(entry.Response.Snapshot.Tenant), entry.Response.Snapshot.Store)
            : null);

    public Task<IReadOnlySet<Guid>> ActiveSessionsAsync(string tenant, CancellationToken cancellationToken) => FindActiveSessionsAsync(tenant, withShell: false);

    public Task<IReadOnlySet<Guid>> ActiveShellSessionsAsync(string tenant, CancellationToken cancellationToken) => FindActiveSessionsAsync(tenant, withShell: true);

    private Task<IReadOnlySet<Guid>> FindActiveSessionsAsync(string tenant, bool withShell) =>
        Task.FromResult<IReadOnlySet<Guid>>(_responses.Values.Select(e => e.Read())
            .Where(r => !r.IsFinished && (!withShell || r.Snapshot.Shell is not null) && Tenants.Tenancy.Owns(r.Snapshot.Tenant, tenant))
            .Select(r => r.Snapshot.SessionId).ToHashSet());

    public Task<bool> TryAddAsync(StoredResponse response, CancellationToken cancellationToken) =>
        Task.FromResult(_responses.TryAdd(response.Id, new Entry(response)));

    public async Task<int> AppendItemAsync(string responseId, ResponseItem item, CancellationToken cancellationToken)
    {
        await ChangeAsync(responseId, r => r.Snapshot.Output.Any(existing => existing.Id == item.Id)
            ? r
            : r with { Snapshot = r.Snapshot with { Output = [.. r.Snapshot.Output, item] } });
        var output = _responses[responseId].Read().Snapshot.Output;
        return output.ToList().FindIndex(existing => existing.Id == item.Id);
    }

    public Task<int> CountItemsAsync(string responseId, CancellationToken cancellationToken) =>
        Task.FromResult(_responses.TryGetValue(responseId, out var entry) ? entry.Read().Snapshot.Output.Count : 0);

    public Task<IReadOnlyList<ResponseStreamEvent>> AppendEventsAsync(string responseId, IReadOnlyList<KeyedEvent> events, CancellationToken cancellationToken)
    {
        var entry = _responses.TryGetValue(responseId, out var found) ? found : throw new KeyNotFoundException($"No stored response '{responseId}'.");
        var stored = new List<ResponseStreamEvent>(events.Count);
        lock (entry)
        {
            foreach (var (key, e) in events)
            {
                if (!entry.EventsByKey.TryGetValue(key, out var existing))
                {
                    existing = e with { SequenceNumber = entry.Events.Count };
                    entry.Events.Add(existing);
                    entry.EventsByKey[key] = existing;
                }

                stored.Add(existing);
            }
        }

        return Task.FromResult<IReadOnlyList<ResponseStreamEvent>>(stored);
    }

    public Task<IReadOnlyList<ResponseStreamEvent>?> ReadEventsAsync(string responseId, int after, int limit, CancellationToken cancellationToken)
    {
        if (!_responses.TryGetValue(responseId, out var entry))
        {
            return Task.FromResult<IReadOnlyList<ResponseStreamEvent>?>(null);
        }

        lock (entry)
        {
            // In long, as a cursor of int.MaxValue plus one would wrap round to the first event.
            return Task.FromResult<IReadOnlyList<ResponseStreamEvent>?>([.. entry.Events.Skip((int)Math.Clamp((long)after + 1, 0, int.MaxValue)).Take(limit)]);
        }
    }

    public Task SetItemStatusAsync(string responseId, string itemId, string status, CancellationToken cancellationToken) =>
        ChangeAsync(responseId, r => r with
        {
            Snapshot = r.Snapshot with { Output = [.. r.Snapshot.Output.Select(i => i.Id == itemId ? i with { Status = status } : i)] },
        });

    public Task RecordUsageAsync(string responseId, int modelCall, TokenUsage usage, CancellationToken cancellationToken) =>
        ChangeAsync(responseId, r => r, (entry) => entry.UsageByModelCall[modelCall] = usage);

    public Task SetStatusAsync(string responseId, string status, CancellationToken cancellationToken) =>
        ChangeAsync(responseId, r => r.IsFinished ? r : r with { Snapshot = r.Snapshot with { Status = status } });

    public async Task<ResponseOutcome> FinishAsync(string responseId, ResponseOutcome outcome, CancellationToken cancellationToken)
    {
        var standing = outcome;
        await ChangeAsync(responseId, r =>
        {
            if (r.IsFinished)
            {
                standing = OutcomeOf(r.Snapshot);
                return r;
            }

            return r with
            {
                Snapshot = r.Snapshot with
                {
                    Status = outcome.Status,
                    Error = outcome.Error,
                    IncompleteReason = outcome.IncompleteReason,
                    CompletedAt = outcome.CompletedAt,
                    Output = [.. r.Snapshot.Output.Select(i => i.Status == ItemStatus.InProgress ? i with { Status = ItemStatus.Incomplete } : i)],
                },
            };
        });
        return standing;
    }

    private static ResponseOutcome OutcomeOf(ResponseSnapshot snapshot) =>
        new(snapshot.Status, snapshot.CompletedAt ?? DateTimeOffset.UnixEpoch, snapshot.Error, snapshot.IncompleteReason);

    public Task<IReadOnlyList<StoredResponse>> GetChainAsync(string responseId, CancellationToken cancellationToken)
    {
        var chain = new List<StoredResponse>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var id = responseId; id is not null && seen.Add(id) && _responses.TryGetValue(id, out var entry); id = entry.Response.Snapshot.PreviousResponseId)
        {
            chain.Add(entry.Read());
        }

        chain.Reverse();
        return Task.FromResult<IReadOnlyList<StoredResponse>>(chain);
    }

    public Task<FoundItem?> FindItemAsync(string itemId, CancellationToken cancellationToken)
    {
        foreach (var response in _responses.Values.Select(e => e.Response))
        {
            var found = response.Snapshot.Output.FirstOrDefault(i => i.Id == itemId) is { } output
                ? new InputMessage(InputMessage.OutputItem, "") { Id = output.Id, Item = output }
                : response.Input.FirstOrDefault(i => i.Id == itemId);
            if (found is not null)
            {
                return Task.FromResult<FoundItem?>(new FoundItem(response.Id, response.Snapshot.Tenant, found, response.Snapshot.Store));
            }
        }

        return Task.FromResult<FoundItem?>(null);
    }

    public Task<bool> DeleteAsync(string responseId, CancellationToken cancellationToken) =>
        Task.FromResult(_responses.TryRemove(responseId, out _));

    public Task<int> PurgeUnstoredAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken)
    {
        var ended = _responses.Values.Select(e => e.Response)
            .Where(r => !r.Snapshot.Store && r.IsFinished && r.Snapshot.CompletedAt < endedBefore)
            .Select(r => r.Id).ToList();
        return Task.FromResult(ended.Count(id => _responses.TryRemove(id, out _)));
    }

    private Task ChangeAsync(string responseId, Func<StoredResponse, StoredResponse> change, Action<Entry>? alsoChange = null)
    {
        if (!_responses.TryGetValue(responseId, out var entry))
        {
            throw new KeyNotFoundException($"No stored response '{responseId}'.");
        }

        lock (entry)
        {
            entry.Response = change(entry.Response);
            alsoChange?.Invoke(entry);
        }

        return Task.CompletedTask;
    }

    private sealed class Entry(StoredResponse response)
    {
        public StoredResponse Response { get; set; } = response;

        public Dictionary<int, TokenUsage> UsageByModelCall { get; } = [];

        public List<ResponseStreamEvent> Events { get; } = [];

        public Dictionary<string, ResponseStreamEvent> EventsByKey { get; } = new(StringComparer.Ordinal);

        public StoredResponse Read()
        {
            lock (this)
            {
                var usage = UsageByModelCall.Values.Aggregate(new TokenUsage(0, 0), (sum, step) => sum.Add(step));
                return Response with { Snapshot = Response.Snapshot with { Usage = usage } };
            }
        }
    }
}
