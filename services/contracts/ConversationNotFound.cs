namespace Berth.Contracts;

/// <summary>No such conversation for the tenant; or, with <see cref="ItemId"/>, no such item in it.</summary>
public sealed record ConversationNotFound(string ConversationId)
{
    public string? ItemId { get; init; }
}
