namespace Berth.Contracts;

/// <summary>Append items (ids not yet given) to a conversation. Answered with a <see cref="ConversationItemList"/> of the items added, or <see cref="ConversationNotFound"/>.</summary>
public sealed record AddConversationItems(string ConversationId, IReadOnlyList<InputMessage> Items)
{
    public string? Tenant { get; init; }

    /// <summary>Given by the api once per request: the items' ids derive from it, so a request delivered again adds the same items, once.</summary>
    public Guid BatchId { get; init; }
}
