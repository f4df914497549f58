namespace Berth.Contracts;

/// <summary>Items of a conversation, each with its id, and whether more follow the page.</summary>
public sealed record ConversationItemList(IReadOnlyList<InputMessage> Items, bool HasMore);
