using Berth.Contracts;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Berth.Planner.Mongo;

// The stored shape is spelled out here, element by element, rather than derived from the
// contracts: renaming a C# property must never silently change what is on disk.

/// <summary>One item of a response's input, in its document's <c>input</c> array.</summary>
internal sealed class InputDocument
{
    [BsonElement("role")] public string Role { get; set; } = "";
    [BsonElement("text")] public string Text { get; set; } = "";
    [BsonElement("callId")] public string? CallId { get; set; }
    [BsonElement("id"), BsonIgnoreIfNull] public string? Id { get; set; }

    /// <summary>An output item sent back as input, stored as items are, without the fields that place an item in a response.</summary>
    [BsonElement("item"), BsonIgnoreIfNull] public ItemDocument? Item { get; set; }

    [BsonElement("parts"), BsonIgnoreIfNull] public List<PartDocument>? Parts { get; set; }

    [BsonElement("approval"), BsonIgnoreIfNull] public ApprovalDocument? Approval { get; set; }

    public static InputDocument From(InputMessage input) => new()
    {
        Role = input.Role,
        Text = input.Text,
        CallId = input.CallId,
        Id = input.Id,
        Item = input.Item is null ? null : ItemDocument.From("", 0, default, input.Item),
        Parts = input.Parts?.Select(PartDocument.From).ToList(),
        Approval = ApprovalDocument.From(input.Approval),
    };

    public InputMessage ToInput() => new(Role, Text)
    {
        CallId = CallId,
        Id = Id,
        Item = Item?.ToItem(),
        Parts = Parts?.Select(p => p.ToPart()).ToList(),
        Approval = Approval?.ToDecision(),
    };
}

/// <summary>A person's answer to a paused call, kept with the input that gave it.</summary>
internal sealed class ApprovalDocument
{
    [BsonElement("requestId")] public string RequestId { get; set; } = "";
    [BsonElement("approve")] public bool Approve { get; set; }
    [BsonElement("reason"), BsonIgnoreIfNull] public string? Reason { get; set; }
    [BsonElement("decidedBy"), BsonIgnoreIfNull] public string? DecidedBy { get; set; }
    [BsonElement("decidedAt"), BsonIgnoreIfNull] public DateTime? DecidedAt { get; set; }

    public static ApprovalDocument? From(ApprovalDecision? decision) => decision is null ? null : new()
    {
        RequestId = decision.RequestId,
        Approve = decision.Approve,
        Reason = decision.Reason,
        DecidedBy = decision.DecidedBy,
        DecidedAt = decision.DecidedAt?.UtcDateTime,
    };

    public ApprovalDecision ToDecision() => new()
    {
        RequestId = RequestId,
        Approve = Approve,
        Reason = Reason,
        DecidedBy = DecidedBy,
        DecidedAt = DecidedAt is { } at ? MongoTime.Read(at) : null,
    };
}

internal sealed class PartDocument
{
    [BsonElement("type")] public string Type { get; set; } = "";
    [BsonElement("text"), BsonIgnoreIfNull] public string? Text { get; set; }
    [BsonElement("imageUrl"), BsonIgnoreIfNull] public string? ImageUrl { get; set; }
    [BsonElement("detail"), BsonIgnoreIfNull] public string? Detail { get; set; }
    [BsonElement("fileId"), BsonIgnoreIfNull] public string? FileId { get; set; }
    [BsonElement("filename"), BsonIgnoreIfNull] public string? Filename { get; set; }
    [BsonElement("fileData"), BsonIgnoreIfNull] public string? FileData { get; set; }
    [BsonElement("contentAddress"), BsonIgnoreIfNull] public string? ContentAddress { get; set; }
    [BsonElement("mediaType"), BsonIgnoreIfNull] public string? MediaType { get; set; }

    public static PartDocument From(ContentPart part) => new()
    {
        Type = part.Type,
        Text = part.Text,
        ImageUrl = part.ImageUrl,
        Detail = part.Detail,
        FileId = part.FileId,
        Filename = part.Filename,
        FileData = part.FileData,
        ContentAddress = part.ContentAddress?.ToString(),
        MediaType = part.MediaType,
    };

    public ContentPart ToPart() => new()
    {
        Type = Type,
        Text = Text,
        ImageUrl = ImageUrl,
        Detail = Detail,
        FileId = FileId,
        Filename = Filename,
        FileData = FileData,
        ContentAddress = ContentAddress is null ? null : new Uri(ContentAddress),
        MediaType = MediaType,
    };
}
