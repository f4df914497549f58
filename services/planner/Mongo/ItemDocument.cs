using Berth.Contracts;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Berth.Planner.Mongo;

// The stored shape is spelled out here, element by element, rather than derived from the
// contracts: renaming a C# property must never silently change what is on disk.

/// <summary>
/// Collection <c>response_items</c>: one document per output item, so a long response never
/// approaches MongoDB's 16 MB document limit however many calls it makes.
/// </summary>
[BsonIgnoreExtraElements]
internal sealed class ItemDocument
{
    [BsonId] public string Id { get; set; } = "";
    [BsonElement("responseId")] public string ResponseId { get; set; } = "";
    [BsonElement("seq")] public long Seq { get; set; }
    [BsonElement("createdAt")] public DateTime CreatedAt { get; set; }
    [BsonElement("type")] public string Type { get; set; } = "";
    [BsonElement("status")] public string Status { get; set; } = "";
    [BsonElement("text")] public string? Text { get; set; }
    [BsonElement("callId")] public string? CallId { get; set; }
    [BsonElement("commands")] public List<string>? Commands { get; set; }
    [BsonElement("timeoutMs")] public int? TimeoutMs { get; set; }
    [BsonElement("maxOutputLength")] public int? MaxOutputLength { get; set; }
    [BsonElement("outputs")] public List<OutputDocument>? Outputs { get; set; }
    [BsonElement("name")] public string? Name { get; set; }
    [BsonElement("arguments")] public string? Arguments { get; set; }
    [BsonElement("encryptedContent"), BsonIgnoreIfNull] public string? EncryptedContent { get; set; }
    [BsonElement("compactsBefore"), BsonIgnoreIfNull] public string? CompactsBefore { get; set; }

    public static ItemDocument From(string responseId, long seq, DateTime createdAt, ResponseItem item) => new()
    {
        Id = item.Id,
        ResponseId = responseId,
        Seq = seq,
        CreatedAt = createdAt,
        Type = item.Type,
        Status = item.Status,
        Text = item.Text,
        CallId = item.CallId,
        Commands = item.Commands?.ToList(),
        TimeoutMs = item.TimeoutMs,
        MaxOutputLength = item.MaxOutputLength,
        Name = item.Name,
        Arguments = item.Arguments,
        Outputs = item.Outputs?.Select(OutputDocument.From).ToList(),
        EncryptedContent = item.EncryptedContent,
        CompactsBefore = item.CompactsBefore,
    };

    public ResponseItem ToItem() => new()
    {
        Id = Id,
        Type = Type,
        Status = Status,
        Text = Text,
        CallId = CallId,
        Commands = Commands,
        TimeoutMs = TimeoutMs,
        MaxOutputLength = MaxOutputLength,
        Name = Name,
        Arguments = Arguments,
        Outputs = Outputs?.Select(o => o.ToOutput()).ToList(),
        EncryptedContent = EncryptedContent,
        CompactsBefore = CompactsBefore,
    };
}

internal sealed class OutputDocument
{
    [BsonElement("stdout")] public string Stdout { get; set; } = "";
    [BsonElement("stderr")] public string Stderr { get; set; } = "";
    [BsonElement("exitCode")] public int? ExitCode { get; set; }
    [BsonElement("timedOut")] public bool TimedOut { get; set; }

    public static OutputDocument From(CommandOutput output) => new() { Stdout = output.Stdout, Stderr = output.Stderr, ExitCode = output.ExitCode, TimedOut = output.TimedOut };

    public CommandOutput ToOutput() => new() { Stdout = Stdout, Stderr = Stderr, ExitCode = ExitCode, TimedOut = TimedOut };
}
