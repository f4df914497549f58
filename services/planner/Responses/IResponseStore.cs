using Berth.Contracts;

namespace Berth.Planner.Responses;

/// <summary>
/// Where responses and their items live. Every write is idempotent (items are keyed by id,
/// usage by model call), because the saga's message that caused it may be redelivered after
/// the write but before the saga was saved.
/// </summary>
internal interface IResponseStore
{
    Task<StoredResponse?> FindAsync(string responseId, CancellationToken cancellationToken);

    /// <summary>The tenant a response belongs to and whether it is stored, without reading its output; null when there is no such response.</summary>
    Task<ResponseOwner?> FindOwnerAsync(string responseId, CancellationToken cancellationToken);

    /// <summary>The sessions in which the tenant has a response queued or in progress.</summary>
    Task<IReadOnlySet<Guid>> ActiveSessionsAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>Of those, the sessions whose active response has a shell tool: each holds a container, or may make one.</summary>
    Task<IReadOnlySet<Guid>> ActiveShellSessionsAsync(string tenant, CancellationToken cancellationToken);

    /// <summary>Adds a new response; false when one with that id exists already (a redelivered submission).</summary>
    Task<bool> TryAddAsync(StoredResponse response, CancellationToken cancellationToken);

    /// <summary>Appends an output item, unless an item with its id is there already; returns its index in the output.</summary>
    Task<int> AppendItemAsync(string responseId, ResponseItem item, CancellationToken cancellationToken);

    Task<int> CountItemsAsync(string responseId, CancellationToken cancellationToken);

    /// <summary>
    /// Adds events to the response's stream, numbered on from its last one without gaps. An event
    /// whose key is there already is not added again; it comes back with its stored number.
    /// </summary>
    Task<IReadOnlyList<ResponseStreamEvent>> AppendEventsAsync(string responseId, IReadOnlyList<KeyedEvent> events, CancellationToken cancellationToken);

    /// <summary>The stream's events after <paramref name="after"/>, in order; null when there is no such response.</summary>
    Task<IReadOnlyList<ResponseStreamEvent>?> ReadEventsAsync(string responseId, int after, int limit, CancellationToken cancellationToken);

    Task SetItemStatusAsync(string responseId, string itemId, string status, CancellationToken cancellationToken);

    /// <summary>Records what one model call cost; the response's usage is the sum over its steps.</summary>
    Task RecordUsageAsync(string responseId, int modelCall, TokenUsage usage, CancellationToken cancellationToken);

    /// <summary>Sets the status of a response that has not finished; a finished one keeps its own.</summary>
    Task SetStatusAsync(string responseId, string status, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a response, and marks its items still in progress as incomplete. The first outcome
    /// stands: a response ended already (by its session, a forced cancel or the watchdog, in
    /// whichever order they came) keeps its outcome, which is returned.
    /// </summary>
    Task<ResponseOutcome> FinishAsync(string responseId, ResponseOutcome outcome, CancellationToken cancellationToken);

    /// <summary>The response and its ancestors through <c>previous_response_id</c>, oldest first.</summary>
    Task<IReadOnlyList<StoredResponse>> GetChainAsync(string responseId, CancellationToken cancellationToken);

    /// <summary>
    /// An item by its id, for an <c>item_reference</c>: an output item of any response, or an
    /// input item that has an id; null when there is none. Output items come back as
    /// <see cref="InputMessage.OutputItem"/> inputs.
    /// </summary>
    Task<FoundItem?> FindItemAsync(string itemId, CancellationToken cancellationToken);

    /// <summary>Removes a response with its items and events; false when there was no such response.</summary>
    Task<bool> DeleteAsync(string responseId, CancellationToken cancellationToken);

    /// <summary>Removes the responses made with <c>store: false</c> that ended before <paramref name="endedBefore"/>, with their items and events; returns how many.</summary>
    Task<int> PurgeUnstoredAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken);
}

/// <summary>A stored item, as an input, and the response it belongs to: its tenant, and whether it is kept for clients (<c>store</c>).</summary>
internal sealed record FoundItem(string ResponseId, string? Tenant, InputMessage Item, bool Stored = true);

/// <summary>Whose a response is (<c>local</c> for one made before tenants), and whether clients may read it (<c>store</c>).</summary>
internal sealed record ResponseOwner(string Tenant, bool Stored);

/// <summary>How a response ended.</summary>
internal sealed record ResponseOutcome(string Status, DateTimeOffset CompletedAt, ResponseError? Error = null, string? IncompleteReason = null);

/// <summary>A stream event and the key that makes appending it idempotent; its sequence number is given by the store.</summary>
internal sealed record KeyedEvent(string Key, ResponseStreamEvent Event);
