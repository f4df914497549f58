using System.Text.Json.Serialization;

namespace Berth.Api.Wire;

/// <summary>OpenAI's list envelope. <c>first_id</c> and <c>last_id</c> are null, not absent, on an empty page.</summary>
internal sealed record ListPage<T>
{
    [JsonPropertyName("object")]
    public string ObjectType => "list";

    public required IReadOnlyList<T> Data { get; init; }

    public string? FirstId { get; init; }

    public string? LastId { get; init; }

    public required bool HasMore { get; init; }
}

internal static class ListPage
{
    public static ListPage<T> Of<T>(IReadOnlyList<T> data, bool hasMore, Func<T, string> id) => Of(data, hasMore, item => item, id);

    /// <summary>A page whose entries are shaped for the wire, the ids read from what they were shaped from.</summary>
    public static ListPage<T> Of<TSource, T>(IReadOnlyList<TSource> page, bool hasMore, Func<TSource, T> shape, Func<TSource, string?> id) => new()
    {
        Data = [.. page.Select(shape)],
        FirstId = page.Count > 0 ? id(page[0]) : null,
        LastId = page.Count > 0 ? id(page[^1]) : null,
        HasMore = hasMore,
    };
}
