namespace Berth.Contracts;

/// <summary>Replace a conversation's metadata. Answered with the <see cref="ConversationSnapshot"/> as it now is, or <see cref="ConversationNotFound"/>.</summary>
public sealed record UpdateConversation(string ConversationId, IReadOnlyDictionary<string, string> Metadata)
{
    public string? Tenant { get; init; }
}
