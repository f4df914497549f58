using System.Text.Json;
using Berth.Api.Errors;
using Berth.Contracts;
using Berth.ServiceDefaults.Models;
using static Berth.Api.Responses.JsonFields;

namespace Berth.Api.Responses;

/// <summary>
/// Reads a <c>POST /v1/responses</c> body the way OpenAI does: every problem is a 400 that names
/// the parameter, in OpenAI's words where it has them, so SDK users see familiar errors.
/// </summary>
internal static class CreateResponseParser
{
    // OpenAI's parameters: each is honoured, or a value Berth cannot honour is refused by name
    // (ModelSettingsParser); anything else is an unknown parameter, as on OpenAI.
    private static readonly HashSet<string> KnownParameters =
    [
        "model", "input", "instructions", "tools", "previous_response_id", "max_tool_calls", "metadata", "background",
        "stream", "stream_options", "store", "include", "parallel_tool_calls", "temperature", "top_p", "truncation",
        "user", "text", "tool_choice", "reasoning", "max_output_tokens", "service_tier", "top_logprobs", "prompt",
        "prompt_cache_key", "prompt_cache_retention", "safety_identifier", "conversation", "context_management",
        "access_programs", "background_options", "image", "moderation", "prompt_cache_options",

        // Berth's own: stop the previous response if it still runs, and start this one in its place;
        // or continue the previous response in a new session whose container copies its files.
        "interrupt", "fork",
    ];

    private const int MaxMetadataPairs = 16;
    private const int MaxMetadataKeyLength = 64;
    private const int MaxMetadataValueLength = 512;

    /// <param name="egressDomains">The operator's cap on <c>network_policy</c> domains (normalized); none allows no network.</param>
    public static (CreateResponseRequest? Request, ApiError? Error) Parse(JsonElement body, IReadOnlyList<string>? egressDomains = null)
    {
        try
        {
            return (ParseOrThrow(body, egressDomains ?? []), null);
        }
        catch (RequestException e)
        {
            return (null, e.Error);
        }
    }

    private static CreateResponseRequest ParseOrThrow(JsonElement body, IReadOnlyList<string> egressDomains)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"The request body must be a JSON object, but got {Describe(body)}.", null, RequestErrorCodes.InvalidType);
        }

        foreach (var property in body.EnumerateObject())
        {
            if (!KnownParameters.Contains(property.Name))
            {
                throw Invalid($"Unknown parameter: '{property.Name}'.", property.Name, RequestErrorCodes.UnknownParameter);
            }
        }

        var model = RequiredString(body, "model");
        if (ModelCatalog.NameProblem(model) is { } badName)
        {
            throw Invalid(badName, "model", RequestErrorCodes.InvalidValue);
        }

        var previous = OptionalString(body, "previous_response_id");
        var conversation = ConversationOf(body);
        if (conversation is not null && previous is not null)
        {
            // As on OpenAI: a conversation holds the history a previous response would give.
            throw Invalid("Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.", "conversation", RequestErrorCodes.MutuallyExclusiveParameters);
        }

        var interrupt = OptionalBool(body, "interrupt") ?? false;
        if (interrupt && previous is null && conversation is null)
        {
            throw Invalid("'interrupt' stops the response this one continues: give 'previous_response_id' (or 'conversation') with it.", "interrupt", RequestErrorCodes.InvalidValue);
        }

        var fork = OptionalBool(body, "fork") ?? false;
        if (fork && previous is null)
        {
            throw Invalid("'fork' starts a new session from the one of 'previous_response_id': give it with it.", "fork", RequestErrorCodes.InvalidValue);
        }

        if (fork && interrupt)
        {
            throw Invalid("Mutually exclusive parameters: 'fork' leaves the previous response running; 'interrupt' stops it.", "fork", RequestErrorCodes.MutuallyExclusiveParameters);
        }

        var tools = ToolsParser.Parse(body, egressDomains);
        if (fork && tools.Shell is { Environment: ShellEnvironments.Reference })
        {
            throw Invalid("'fork' gives the new session a container of its own: use 'container_auto', not 'container_reference'.", "fork", RequestErrorCodes.InvalidValue);
        }

        var background = OptionalBool(body, "background") ?? false;
        var store = OptionalBool(body, "store") ?? true;
        if (background && !store)
        {
            // As on OpenAI: a background response is read later, so it must be kept.
            throw Invalid("A background response must be stored: 'background: true' cannot go with 'store: false'.", "background", RequestErrorCodes.InvalidValue);
        }

        return new CreateResponseRequest
        {
            Model = model,
            Instructions = OptionalString(body, "instructions"),
            Input = InputItemsParser.Parse(body),
            PreviousResponseId = previous,
            ConversationId = conversation,
            Shell = tools.Shell,
            ShellPath = tools.ShellPath,
            Skills = tools.Skills,
            Functions = tools.Functions,
            ToolChoice = ToolsParser.ParseChoice(body, tools),
            ParallelToolCalls = OptionalBool(body, "parallel_tool_calls"),
            Settings = ModelSettingsParser.Parse(body),
            MaxToolCalls = OptionalPositiveInt(body, "max_tool_calls"),
            Metadata = ParseMetadata(body),
            Background = background,
            Store = store,
            Stream = OptionalBool(body, "stream") ?? false,
            Interrupt = interrupt,
            Fork = fork,
        };
    }

    /// <summary><c>conversation</c>: a conversation's id, or <c>{"id"}</c>; null when absent.</summary>
    private static string? ConversationOf(JsonElement body)
    {
        var given = Optional(body, "conversation");
        var id = given?.ValueKind switch
        {
            null or JsonValueKind.Null => null,
            JsonValueKind.String => given.Value.GetString()!,
            JsonValueKind.Object => RequiredString(given.Value, "id", "conversation"),
            _ => throw Invalid($"Invalid type for 'conversation': expected a conversation id or an object with 'id', but got {Describe(given.Value)} instead.", "conversation", RequestErrorCodes.InvalidType),
        };
        return id is null || Errors.IdFormat.IsConversationId(id)
            ? id
            : throw Invalid($"Invalid 'conversation': '{Shortened(id)}'. Expected a conversation id ({Errors.IdFormat.ConversationIdShape}).", "conversation", RequestErrorCodes.InvalidValue);
    }

    /// <summary><c>metadata</c>: at most 16 pairs of bounded strings, as on OpenAI; empty when absent.</summary>
    internal static Dictionary<string, string> ParseMetadata(JsonElement body)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var value = Optional(body, "metadata");
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            return metadata;
        }

        if (value.Value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"Invalid type for 'metadata': expected an object, but got {Describe(value.Value)} instead.", "metadata", RequestErrorCodes.InvalidType);
        }

        foreach (var pair in value.Value.EnumerateObject())
        {
            if (pair.Value.ValueKind != JsonValueKind.String)
            {
                throw Invalid($"Invalid type for 'metadata.{pair.Name}': expected a string, but got {Describe(pair.Value)} instead.", $"metadata.{pair.Name}", RequestErrorCodes.InvalidType);
            }

            if (pair.Name.Length > MaxMetadataKeyLength || pair.Value.GetString()!.Length > MaxMetadataValueLength)
            {
                throw Invalid($"Invalid 'metadata': keys may have at most {MaxMetadataKeyLength} characters and values at most {MaxMetadataValueLength}.", $"metadata.{pair.Name}", RequestErrorCodes.InvalidValue);
            }

            metadata[pair.Name] = pair.Value.GetString()!;
        }

        if (metadata.Count > MaxMetadataPairs)
        {
            throw Invalid($"Invalid 'metadata': at most {MaxMetadataPairs} pairs are allowed, got {metadata.Count}.", "metadata", RequestErrorCodes.InvalidValue);
        }

        return metadata;
    }
}
