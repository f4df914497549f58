namespace Berth.Contracts;

/// <summary>
/// The api accepted a <c>POST /v1/responses</c>. Sent as a request: the planner answers
/// <see cref="TaskAccepted"/> once the response is stored, or <see cref="TaskRejected"/>.
/// </summary>
public sealed record TaskSubmitted
{
    public required string ResponseId { get; init; }
    public required string Model { get; init; }
    public string? Instructions { get; init; }
    public required IReadOnlyList<InputMessage> Input { get; init; }
    public string? PreviousResponseId { get; init; }

    /// <summary>The conversation (<c>/v1/conversations</c>) the response is part of: its items come before the input, and the response's own are added to it when it ends.</summary>
    public string? ConversationId { get; init; }
    /// <summary>Null when the request offered no shell tool: the model then only talks.</summary>
    public ShellToolSpec? Shell { get; init; }
    public int? MaxToolCalls { get; init; }

    /// <summary>The client's own functions, offered beside the shell.</summary>
    public IReadOnlyList<FunctionToolSpec> Functions { get; init; } = [];

    /// <summary>The request's <c>tool_choice</c>; null for the default (<c>auto</c>).</summary>
    public ToolChoiceSpec? ToolChoice { get; init; }

    /// <summary>The request's <c>parallel_tool_calls</c>; null for the default (true).</summary>
    public bool? ParallelToolCalls { get; init; }

    /// <summary>Temperature, output format, token limit and the like, for every model call; null when none was given.</summary>
    public ModelSettings? Settings { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public bool Background { get; init; }

    /// <summary>False for <c>store: false</c>: the response is delivered to this request and then forgotten; no client can read it, continue from it or refer to its items.</summary>
    public bool Store { get; init; } = true;

    /// <summary>The client asked for the response as a stream (<c>stream: true</c>): the model's words are relayed as they come.</summary>
    public bool Stream { get; init; }
    /// <summary>
    /// <c>interrupt: true</c> (a Berth extension): if the previous response is still running, it
    /// ends <c>cancelled</c> and this one starts at once in its place.
    /// </summary>
    public bool Interrupt { get; init; }

    /// <summary>
    /// <c>fork: true</c> (a Berth extension): a new session continues the previous response's
    /// history, in a container of its own that starts as a copy of the previous session's files.
    /// </summary>
    public bool Fork { get; init; }
    public DateTimeOffset SubmittedAt { get; init; }

    /// <summary>The tenant whose API key sent it; what it creates belongs to that tenant.</summary>
    public string? Tenant { get; init; }
}
