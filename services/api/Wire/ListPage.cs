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
    public static ListPage<T> Of<T>(IReadOnlyList<T> data, bool hasMore, Func<T, string> id) => new()
    {
        Data = data,
        FirstId = data.Count > 0 ? id(data[0]) : null,
        LastId = data.Count > 0 ? id(data[^1]) : null,
        HasMore = hasMore,
    };
}
