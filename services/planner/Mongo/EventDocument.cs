using Berth.Contracts;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Berth.Planner.Mongo;

// The stored shape is spelled out here, element by element, rather than derived from the
// contracts: renaming a C# property must never silently change what is on disk.

/// <summary>
/// Collection <c>response_events</c>: a response's stream, one document per event. The id is
/// the response and sequence number, so two writers can never give out the same number; the
/// unique (response, key) index keeps a replayed write from adding an event twice.
/// </summary>
[BsonIgnoreExtraElements]
internal sealed class EventDocument
{
    [BsonId] public string Id { get; set; } = "";
    [BsonElement("responseId")] public string ResponseId { get; set; } = "";
    [BsonElement("seq")] public int Seq { get; set; }
    [BsonElement("key")] public string Key { get; set; } = "";
    [BsonElement("createdAt")] public DateTime CreatedAt { get; set; }
    [BsonElement("type")] public string Type { get; set; } = "";
    [BsonElement("status")] public string? Status { get; set; }
    [BsonElement("outputIndex")] public int? OutputIndex { get; set; }
    [BsonElement("item")] public ItemDocument? Item { get; set; }
    [BsonElement("itemId")] public string? ItemId { get; set; }
    [BsonElement("text")] public string? Text { get; set; }
    [BsonElement("commandIndex")] public int? CommandIndex { get; set; }
    [BsonElement("stdout")] public string? Stdout { get; set; }
    [BsonElement("stderr")] public string? Stderr { get; set; }
    [BsonElement("output"), BsonIgnoreIfNull] public OutputDocument? Output { get; set; }

    public static EventDocument From(string responseId, string key, DateTime createdAt, ResponseStreamEvent e) => new()
    {
        Id = $"{responseId}:{e.SequenceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
        ResponseId = responseId,
        Seq = e.SequenceNumber,
        Key = key,
        CreatedAt = createdAt,
        Type = e.Type,
        Status = e.Status,
        OutputIndex = e.OutputIndex,
        Item = e.Item is null ? null : ItemDocument.From(responseId, 0, createdAt, e.Item),
        ItemId = e.ItemId,
        Text = e.Text,
        CommandIndex = e.CommandIndex,
        Stdout = e.Stdout,
        Stderr = e.Stderr,
        Output = e.Output is null ? null : OutputDocument.From(e.Output),
    };

    public ResponseStreamEvent ToEvent() => new()
    {
        SequenceNumber = Seq,
        Type = Type,
        Status = Status,
        OutputIndex = OutputIndex,
        Item = Item?.ToItem(),
        ItemId = ItemId,
        Text = Text,
        CommandIndex = CommandIndex,
        Stdout = Stdout,
        Stderr = Stderr,
        Output = Output?.ToOutput(),
    };
}
