namespace Berth.Contracts;

/// <summary>
/// <c>POST /v1/responses/compact</c>: have the model summarise a conversation (a chain, and this
/// input after it) into one compaction item. Answered with <see cref="ConversationCompacted"/>,
/// or <see cref="TaskRejected"/> for a reason the client can fix. Nothing is stored.
/// </summary>
public sealed record CompactConversation
{
    /// <summary><c>resp_</c> and 32 hex digits, given by the api: the compacted response's id.</summary>
    public required string Id { get; init; }

    public required string Model { get; init; }
    public string? Instructions { get; init; }
    public IReadOnlyList<InputMessage> Input { get; init; } = [];
    public string? PreviousResponseId { get; init; }
    public string? Tenant { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
