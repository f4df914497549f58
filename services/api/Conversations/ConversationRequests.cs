using System.Text.Json;
using Berth.Api.Errors;
using Berth.Api.Responses;
using Berth.Contracts;
using static Berth.Api.Responses.JsonFields;

namespace Berth.Api.Conversations;

/// <summary>
/// Reads the bodies of <c>/v1/conversations</c>: a create's <c>items</c> and <c>metadata</c>, an
/// update's <c>metadata</c>, and the <c>items</c> added to a conversation. Items are read as a
/// response's <c>input</c> is, at most <see cref="MaxItems"/> at a time, as on OpenAI.
/// </summary>
internal static class ConversationRequests
{
    public const int MaxItems = 20;

    public static (IReadOnlyList<InputMessage>? Items, IReadOnlyDictionary<string, string>? Metadata, ApiError? Error) ParseCreate(JsonElement body) => Read(() =>
    {
        Only(body, "items", "metadata");
        var items = Optional(body, "items") is { ValueKind: not JsonValueKind.Null } given ? ItemsOf(given) : [];
        return (items, CreateResponseParser.ParseMetadata(body));
    });

    public static (IReadOnlyDictionary<string, string>? Metadata, ApiError? Error) ParseUpdate(JsonElement body)
    {
        var (_, metadata, error) = Read(() =>
        {
            Only(body, "metadata");
            if (Optional(body, "metadata") is null or { ValueKind: JsonValueKind.Null })
            {
                throw Invalid("Missing required parameter: 'metadata'.", "metadata", RequestErrorCodes.MissingRequiredParameter);
            }

            return ((IReadOnlyList<InputMessage>)[], CreateResponseParser.ParseMetadata(body));
        });
        return (metadata, error);
    }

    public static (IReadOnlyList<InputMessage>? Items, ApiError? Error) ParseAdd(JsonElement body)
    {
        var (items, _, error) = Read(() =>
        {
            Only(body, "items");
            var given = Optional(body, "items") ?? throw Invalid("Missing required parameter: 'items'.", "items", RequestErrorCodes.MissingRequiredParameter);
            var items = ItemsOf(given);
            return items.Count == 0 ? throw Invalid("Invalid 'items': expected at least one item.", "items", RequestErrorCodes.EmptyArray) : (items, new Dictionary<string, string>());
        });
        return (items, error);
    }

    private static (IReadOnlyList<InputMessage>? Items, IReadOnlyDictionary<string, string>? Metadata, ApiError? Error) Read(
        Func<(IReadOnlyList<InputMessage>, Dictionary<string, string>)> read)
    {
        try
        {
            var (items, metadata) = read();
            return (items, metadata, null);
        }
        catch (RequestException e)
        {
            return (null, null, e.Error);
        }
    }

    private static void Only(JsonElement body, params string[] known)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"Invalid type for the body: expected an object, but got {Describe(body)} instead.", null, RequestErrorCodes.InvalidType);
        }

        foreach (var property in body.EnumerateObject().Where(p => !known.Contains(p.Name)))
        {
            throw Invalid($"Unknown parameter: '{Shortened(property.Name)}'.", Shortened(property.Name), RequestErrorCodes.UnknownParameter);
        }
    }

    private static List<InputMessage> ItemsOf(JsonElement given)
    {
        if (given.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"Invalid type for 'items': expected an array of items, but got {Describe(given)} instead.", "items", RequestErrorCodes.InvalidType);
        }

        if (given.GetArrayLength() > MaxItems)
        {
            throw Invalid($"Invalid 'items': at most {MaxItems} items may be added at a time.", "items", RequestErrorCodes.InvalidValue);
        }

        var items = InputItemsParser.ParseArray(given, "items");
        if (items.FindIndex(i => i.Role == InputMessage.Reference) is var at and >= 0)
        {
            // A reference would make the conversation hold a copy of another response's item; send the item itself.
            throw Invalid($"'items[{at}]': 'item_reference' is not supported in a conversation's items. Send the item itself.", $"items[{at}].type", RequestErrorCodes.UnsupportedParameter);
        }

        if (items.FindIndex(i => i.Item is { Type: ResponseItem.Compaction }) is var compaction and >= 0)
        {
            throw Invalid($"'items[{compaction}]': a 'compaction' item is not kept in a conversation. Pass it as a response's input.", $"items[{compaction}].type", RequestErrorCodes.UnsupportedParameter);
        }

        return items;
    }
}
