namespace Berth.Contracts;

/// <summary>What <see cref="CompactConversation"/> made: the user's messages, in order, then one compaction item (role <see cref="InputMessage.OutputItem"/>).</summary>
public sealed record ConversationCompacted
{
    public required string Id { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public IReadOnlyList<InputMessage> Output { get; init; } = [];
    public TokenUsage Usage { get; init; } = new(0, 0);
}
