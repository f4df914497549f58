namespace Berth.Contracts;

/// <summary>
/// Delete a conversation and its items; its responses stay, and its session's container is left
/// to expire. Answered with the <see cref="ConversationSnapshot"/> deleted, or <see cref="ConversationNotFound"/>.
/// </summary>
public sealed record DeleteConversation(string ConversationId)
{
    public string? Tenant { get; init; }
}
