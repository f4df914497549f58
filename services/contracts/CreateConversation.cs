namespace Berth.Contracts;

/// <summary>Keep a new conversation with its first items (ids not yet given). Answered with the <see cref="ConversationSnapshot"/>.</summary>
public sealed record CreateConversation(ConversationSnapshot Conversation, IReadOnlyList<InputMessage> Items);
