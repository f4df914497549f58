namespace Berth.Contracts;

/// <summary>
/// A conversation (<c>/v1/conversations</c>): what the planner keeps of it besides its items.
/// Its responses all run in one session, <see cref="SessionId"/>, so its container and files
/// persist across them as along a <c>previous_response_id</c> chain.
/// </summary>
public sealed record ConversationSnapshot
{
    /// <summary><c>conv_</c> and 32 hex digits.</summary>
    public required string Id { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>The tenant whose API key made it; only that tenant sees it.</summary>
    public string? Tenant { get; init; }

    public Guid SessionId { get; init; }

    /// <summary>The newest response made in it: the next one runs after it, in its container, as a continuation of it would.</summary>
    public string? LastResponseId { get; init; }
}
