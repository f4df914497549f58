namespace Berth.Contracts;

/// <summary>Everything the api needs to render an OpenAI <c>response</c> object.</summary>
public sealed record ResponseSnapshot
{
    public required string Id { get; init; }
    public required Guid SessionId { get; init; }
    public required string Status { get; init; }
    public required string Model { get; init; }
    public string? Instructions { get; init; }
    public string? PreviousResponseId { get; init; }

    /// <summary>The conversation (<c>/v1/conversations</c>) the response is part of: its items come before the input, and the response's own are added to it when it ends.</summary>
    public string? ConversationId { get; init; }
    public ShellToolSpec? Shell { get; init; }
    public int? MaxToolCalls { get; init; }
    public IReadOnlyList<FunctionToolSpec> Functions { get; init; } = [];
    public ToolChoiceSpec? ToolChoice { get; init; }
    public bool? ParallelToolCalls { get; init; }
    public ModelSettings? Settings { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public bool Background { get; init; }

    /// <summary>
    /// False for <c>store: false</c>. Not part of OpenAI's response object: such a response is
    /// answered as not found to every client read, and removed a while after it ends, once the
    /// request that made it has been answered.
    /// </summary>
    public bool Store { get; init; } = true;

    /// <summary>Created with <c>stream: true</c>. Not part of OpenAI's response object: it says whether the model is called streaming.</summary>
    public bool Stream { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public IReadOnlyList<ResponseItem> Output { get; init; } = [];

    /// <summary>
    /// Set when <see cref="Output"/> was too large to travel in a reply: the output waits in the
    /// shared payload store as JSON, and <see cref="Output"/> is empty. The asker deletes it once read.
    /// </summary>
    public Uri? OutputAddress { get; init; }
    public TokenUsage Usage { get; init; } = new(0, 0);
    public ResponseError? Error { get; init; }
    /// <summary>Why an <c>incomplete</c> response stopped, e.g. <c>max_tool_calls</c>.</summary>
    public string? IncompleteReason { get; init; }
    /// <summary>The OpenTelemetry trace that holds this response's run, as 32 hex digits; null when it was not traced.</summary>
    public string? TraceId { get; init; }

    /// <summary>The tenant whose API key created it; null for objects made before tenants (read as <c>local</c>).</summary>
    public string? Tenant { get; init; }
}
