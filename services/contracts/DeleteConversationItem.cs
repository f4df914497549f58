namespace Berth.Contracts;

/// <summary>Remove one item from a conversation. Answered with the <see cref="ConversationSnapshot"/>, or <see cref="ConversationNotFound"/>.</summary>
public sealed record DeleteConversationItem(string ConversationId, string ItemId)
{
    public string? Tenant { get; init; }
}
