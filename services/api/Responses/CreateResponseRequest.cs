using Berth.Contracts;

namespace Berth.Api.Responses;

/// <summary>A <c>POST /v1/responses</c> body that passed validation.</summary>
internal sealed record CreateResponseRequest
{
    public required string Model { get; init; }
    public string? Instructions { get; init; }
    public required IReadOnlyList<InputMessage> Input { get; init; }
    public string? PreviousResponseId { get; init; }

    public string? ConversationId { get; init; }
    public ShellToolSpec? Shell { get; init; }

    /// <summary>Where the shell tool is in the request (<c>tools[2]</c>), for errors found after parsing.</summary>
    public string? ShellPath { get; init; }

    /// <summary><c>container_auto</c>'s <c>skills</c>, as asked; found and put in <see cref="Shell"/> by the api before submitting.</summary>
    public IReadOnlyList<Berth.Api.Skills.AskedSkill> Skills { get; init; } = [];
    public int? MaxToolCalls { get; init; }
    public IReadOnlyList<FunctionToolSpec> Functions { get; init; } = [];
    public ToolChoiceSpec? ToolChoice { get; init; }
    public bool? ParallelToolCalls { get; init; }
    public ModelSettings? Settings { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public bool Background { get; init; }
    public bool Store { get; init; } = true;
    public bool Stream { get; init; }

    /// <summary><c>interrupt</c> (a Berth extension): the previous response, if still running, ends <c>cancelled</c> and this one takes its place.</summary>
    public bool Interrupt { get; init; }

    /// <summary><c>fork</c> (a Berth extension): a new session continues the previous response, in a container that starts as a copy of its files.</summary>
    public bool Fork { get; init; }
}
