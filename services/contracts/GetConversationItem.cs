namespace Berth.Contracts;

/// <summary>Request for one item of a conversation. Answered with a <see cref="ConversationItemList"/> of that item, or <see cref="ConversationNotFound"/>.</summary>
public sealed record GetConversationItem(string ConversationId, string ItemId)
{
    public string? Tenant { get; init; }
}
