using System.Text.Json.Serialization;
using Berth.Contracts;

namespace Berth.Api.Responses;

/// <summary>What <c>POST /v1/responses/compact</c> answers: the items to send next time in place of the conversation.</summary>
internal sealed record CompactionResultObject
{
    public required string Id { get; init; }

    [JsonPropertyName("object")]
    public string ObjectType => "response.compaction";

    public required long CreatedAt { get; init; }

    public required IReadOnlyList<object> Output { get; init; }

    public required UsageObject Usage { get; init; }

    public static CompactionResultObject From(ConversationCompacted compacted) => new()
    {
        Id = compacted.Id,
        CreatedAt = compacted.CreatedAt.ToUnixTimeSeconds(),
        Output = [.. compacted.Output.Select(ResponseItemObjects.From)],
        Usage = UsageObject.From(compacted.Usage),
    };
}
