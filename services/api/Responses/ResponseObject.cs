using System.Text.Json.Serialization;
using Berth.Api.Containers;
using Berth.Api.Wire;
using Berth.Contracts;

namespace Berth.Api.Responses;

/// <summary>
/// OpenAI's <c>response</c> object. Every field OpenAI always sends is written, null where Berth
/// has nothing to say, because SDKs read some of them unconditionally. Fields whose shape
/// depends on the value (<c>tool_choice</c>, the tools, the text format) are typed
/// <see cref="object"/> and written by their runtime type.
/// </summary>
internal sealed record ResponseObject
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string ObjectType => "response";

    public required long CreatedAt { get; init; }

    public required string Status { get; init; }

    public required bool Background { get; init; }

    public required long? CompletedAt { get; init; }

    public required ResponseErrorObject? Error { get; init; }

    public required IncompleteDetailsObject? IncompleteDetails { get; init; }

    public required string? Instructions { get; init; }

    public required int? MaxOutputTokens { get; init; }

    public required int? MaxToolCalls { get; init; }

    public required string Model { get; init; }

    public required IReadOnlyList<object> Output { get; init; }

    public required bool ParallelToolCalls { get; init; }

    public required string? PreviousResponseId { get; init; }

    public required ConversationRefObject? Conversation { get; init; }

    public required ReasoningObject Reasoning { get; init; }

    public string ServiceTier => "default";

    public bool Store => true;

    public required double Temperature { get; init; }

    public required TextObject Text { get; init; }

    public required object ToolChoice { get; init; }

    public required IReadOnlyList<object> Tools { get; init; }

    public required double TopP { get; init; }

    public required string Truncation { get; init; }

    public required UsageObject Usage { get; init; }

    public required string? User { get; init; }

    public required string? SafetyIdentifier { get; init; }

    public required string? PromptCacheKey { get; init; }

    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <summary>Berth's extension: where to find this run in Jaeger. SDKs ignore fields they do not know.</summary>
    public required string? TraceId { get; init; }

    public static ResponseObject From(ResponseSnapshot response)
    {
        var settings = response.Settings ?? new ModelSettings();
        return new ResponseObject
        {
            Id = response.Id,
            CreatedAt = response.CreatedAt.ToUnixTimeSeconds(),
            Status = response.Status,
            Background = response.Background,
            CompletedAt = response.Status == ResponseStatuses.Completed ? response.CompletedAt?.ToUnixTimeSeconds() : null,
            Error = response.Error is { } error ? new ResponseErrorObject(error.Code, error.Message) : null,
            IncompleteDetails = response.IncompleteReason is { } reason ? new IncompleteDetailsObject(reason) : null,
            Instructions = response.Instructions,
            MaxOutputTokens = settings.MaxOutputTokens,
            MaxToolCalls = response.MaxToolCalls,
            Model = response.Model,
            Output = [.. response.Output.Select(ResponseItemObjects.From)],
            ParallelToolCalls = response.ParallelToolCalls ?? true,
            PreviousResponseId = response.PreviousResponseId,
            Conversation = response.ConversationId is { } conversation ? new ConversationRefObject(conversation) : null,
            Reasoning = new ReasoningObject(settings.ReasoningEffort, null),
            Temperature = settings.Temperature ?? 1.0,
            Text = new TextObject(TextFormat(settings.TextFormat), "medium"),
            ToolChoice = ToolChoiceOf(response.ToolChoice),
            Tools = [.. ToolsOf(response)],
            TopP = settings.TopP ?? 1.0,
            Truncation = settings.Truncation ?? ModelSettings.TruncateDisabled,
            Usage = UsageObject.From(response.Usage),
            User = settings.User,
            SafetyIdentifier = settings.SafetyIdentifier,
            PromptCacheKey = settings.PromptCacheKey,
            Metadata = response.Metadata,
            TraceId = response.TraceId,
        };
    }

    private static object TextFormat(TextFormatSpec? format) => format is { Type: TextFormatSpec.JsonSchema }
        ? new JsonSchemaFormatObject(format.Name, format.Description, new RawJson(format.Schema!), format.Strict)
        : new TextFormatObject(format?.Type ?? "text");

    private static object ToolChoiceOf(ToolChoiceSpec? choice) => choice switch
    {
        not { Mode: ToolChoiceSpec.Named } => choice?.Mode ?? ToolChoiceSpec.Auto,
        { Name: "shell" } => new NamedToolObject("shell"),
        _ => new NamedToolObject("function") { Name = choice.Name },
    };

    private static IEnumerable<object> ToolsOf(ResponseSnapshot response)
    {
        if (response.Shell is { } shell)
        {
            yield return new ShellToolObject(new EnvironmentObject(shell.Environment)
            {
                ContainerId = shell.ContainerId,

                // A referenced container's network is its own, shown on the container, not a field of this environment.
                NetworkPolicy = shell.NetworkPolicy is { } policy && shell.ContainerId is null ? NetworkPolicyObject.From(policy) : null,
            })
            {
                // Berth's extension, shown only when asked for: the default keeps OpenAI's shape.
                RequireApproval = shell.RequireApproval switch
                {
                    ApprovalModes.Patterns => new ApprovalPatternsObject(shell.ApprovalPatterns),
                    ApprovalModes.Never => null,
                    var mode => mode,
                },
            };
        }

        foreach (var function in response.Functions)
        {
            yield return new FunctionToolObject(function.Name, function.Description,
                function.Parameters is null ? null : new RawJson(function.Parameters), function.Strict);
        }
    }
}

internal sealed record ResponseErrorObject(string Code, string Message);

internal sealed record IncompleteDetailsObject(string Reason);

internal sealed record ConversationRefObject(string Id);

internal sealed record ReasoningObject(string? Effort, string? Summary);

internal sealed record TextObject(object Format, string Verbosity);

internal sealed record TextFormatObject(string Type);

internal sealed record JsonSchemaFormatObject(string? Name, string? Description, RawJson Schema, bool? Strict)
{
    [JsonPropertyOrder(-1)]
    public string Type => TextFormatSpec.JsonSchema;
}

/// <summary>A named <c>tool_choice</c>: the shell, or one of the client's functions.</summary>
internal sealed record NamedToolObject(string Type)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }
}

internal sealed record ShellToolObject(EnvironmentObject Environment)
{
    [JsonPropertyOrder(-1)]
    public string Type => "shell";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyOrder(1)]
    public object? RequireApproval { get; init; }
}

internal sealed record EnvironmentObject(string Type)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyOrder(1)]
    public string? ContainerId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonPropertyOrder(2)]
    public NetworkPolicyObject? NetworkPolicy { get; init; }
}

internal sealed record ApprovalPatternsObject(IReadOnlyList<string> Patterns);

internal sealed record FunctionToolObject(string Name, string? Description, RawJson? Parameters, bool Strict)
{
    [JsonPropertyOrder(-1)]
    public string Type => "function";
}

/// <summary><c>usage</c> in OpenAI's shape; Berth counts no cached or reasoning tokens apart.</summary>
internal sealed record UsageObject(int InputTokens, CachedTokensObject InputTokensDetails, int OutputTokens, ReasoningTokensObject OutputTokensDetails, int TotalTokens)
{
    public static UsageObject From(TokenUsage usage) =>
        new(usage.InputTokens, new CachedTokensObject(0), usage.OutputTokens, new ReasoningTokensObject(0), usage.TotalTokens);
}

internal sealed record CachedTokensObject(int CachedTokens);

internal sealed record ReasoningTokensObject(int ReasoningTokens);
