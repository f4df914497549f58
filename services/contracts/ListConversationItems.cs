namespace Berth.Contracts;

/// <summary>A page of a conversation's items, in the order they were added. Answered with <see cref="ConversationItemList"/> or <see cref="ConversationNotFound"/>.</summary>
public sealed record ListConversationItems(string ConversationId)
{
    public string? Tenant { get; init; }

    public int Limit { get; init; } = 20;

    /// <summary>The page starts after this item; one not found gives an empty page.</summary>
    public string? After { get; init; }

    public bool OldestFirst { get; init; }
}
