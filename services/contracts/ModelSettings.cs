namespace Berth.Contracts;

/// <summary>
/// How the client asked the model to answer: the request parameters Berth passes on to every
/// model call of the response, and echoes back. Null fields were not given; the model's own
/// defaults hold.
/// </summary>
public sealed record ModelSettings
{
    public double? Temperature { get; init; }
    public double? TopP { get; init; }

    /// <summary><c>max_output_tokens</c>: the most each model call may write.</summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary><c>text.format</c>; null for plain text.</summary>
    public TextFormatSpec? TextFormat { get; init; }

    /// <summary><c>reasoning.effort</c>: none, minimal, low, medium, high or xhigh.</summary>
    public string? ReasoningEffort { get; init; }

    public string? User { get; init; }
    public string? SafetyIdentifier { get; init; }
    public string? PromptCacheKey { get; init; }

    /// <summary>
    /// <c>truncation</c>: <see cref="TruncateAuto"/> drops the oldest turns to fit the model's
    /// context window; null is <c>disabled</c>, where a conversation that does not fit fails
    /// with <c>context_length_exceeded</c>.
    /// </summary>
    public string? Truncation { get; init; }

    /// <summary>
    /// <c>context_management</c>'s <c>compaction</c> entry: past this many tokens, the planner
    /// has the model summarise the older part of the conversation before it calls it again.
    /// </summary>
    public int? CompactThreshold { get; init; }

    public const string TruncateAuto = "auto";
    public const string TruncateDisabled = "disabled";
}

/// <summary><c>text.format</c>: JSON of any shape (<c>json_object</c>), or JSON that follows <see cref="Schema"/> (<c>json_schema</c>).</summary>
public sealed record TextFormatSpec
{
    public const string JsonObject = "json_object";
    public const string JsonSchema = "json_schema";

    public required string Type { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }

    /// <summary>The JSON schema, as the client wrote it.</summary>
    public string? Schema { get; init; }
    public bool? Strict { get; init; }
}
