namespace Berth.Contracts;

/// <summary>Request for one conversation. Answered with <see cref="ConversationSnapshot"/> or <see cref="ConversationNotFound"/>.</summary>
public sealed record GetConversation(string ConversationId)
{
    /// <summary>The tenant asking, from its API key. Another tenant's conversation is answered as not found.</summary>
    public string? Tenant { get; init; }
}
