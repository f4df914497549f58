using Berth.Contracts;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Berth.Planner.Mongo;

// The stored shape is spelled out here, element by element, rather than derived from the
// contracts: renaming a C# property must never silently change what is on disk.

/// <summary>Collection <c>responses</c>: one document per response, without its output items.</summary>
[BsonIgnoreExtraElements]
public sealed class ResponseDocument
{
    [BsonId] public string Id { get; set; } = "";
    [BsonElement("sessionId"), BsonGuidRepresentation(GuidRepresentation.Standard)] public Guid SessionId { get; set; }
    [BsonElement("status")] public string Status { get; set; } = "";
    [BsonElement("model")] public string Model { get; set; } = "";
    [BsonElement("instructions")] public string? Instructions { get; set; }
    [BsonElement("previousResponseId")] public string? PreviousResponseId { get; set; }
    [BsonElement("shell")] public ShellDocument? Shell { get; set; }
    [BsonElement("maxToolCalls")] public int? MaxToolCalls { get; set; }
    [BsonElement("functions")] public List<FunctionDocument> Functions { get; set; } = [];
    [BsonElement("toolChoice")] public ToolChoiceDocument? ToolChoice { get; set; }
    [BsonElement("parallelToolCalls")] public bool? ParallelToolCalls { get; set; }
    [BsonElement("settings")] public SettingsDocument? Settings { get; set; }
    [BsonElement("metadata")] public Dictionary<string, string> Metadata { get; set; } = [];
    [BsonElement("background")] public bool Background { get; set; }

    /// <summary>Made with <c>store: false</c>; absent for every other response, so the partial index holds only these.</summary>
    [BsonElement("unstored"), BsonIgnoreIfDefault] public bool Unstored { get; set; }
    [BsonElement("stream")] public bool Stream { get; set; }
    [BsonElement("createdAt")] public DateTime CreatedAt { get; set; }
    [BsonElement("completedAt")] public DateTime? CompletedAt { get; set; }
    [BsonElement("error")] public ErrorDocument? Error { get; set; }
    [BsonElement("incompleteReason")] public string? IncompleteReason { get; set; }
    [BsonElement("input")] public List<InputDocument> Input { get; set; } = [];
    [BsonElement("traceId")] public string? TraceId { get; set; }
    [BsonElement("tenant")] public string? Tenant { get; set; }

    /// <summary>Token usage by model call number: set, not added, so a replayed write changes nothing.</summary>
    [BsonElement("usage")] public Dictionary<string, UsageDocument> Usage { get; set; } = [];

    /// <summary>Hands out the order of output items.</summary>
    [BsonElement("itemCount")] public long ItemCount { get; set; }

    public static ResponseDocument From(Planner.Responses.StoredResponse stored)
    {
        var r = stored.Snapshot;
        return new ResponseDocument
        {
            Id = r.Id,
            SessionId = r.SessionId,
            Status = r.Status,
            Model = r.Model,
            Instructions = r.Instructions,
            PreviousResponseId = r.PreviousResponseId,
            Shell = r.Shell is null ? null : new ShellDocument
            {
                Environment = r.Shell.Environment,
                ContainerId = r.Shell.ContainerId,
                NetworkPolicy = NetworkPolicyDocument.From(r.Shell.NetworkPolicy),
                MemoryMb = r.Shell.MemoryMb,
                FileIds = [.. r.Shell.FileIds],
                Files = [.. r.Shell.Files.Select(FileSeedDocument.From)],
                Skills = r.Shell.Skills.Count == 0 ? null : [.. r.Shell.Skills.Select(SkillSeedDocument.From)],
                RequireApproval = r.Shell.RequireApproval == ApprovalModes.Never ? null : r.Shell.RequireApproval,
                ApprovalPatterns = r.Shell.ApprovalPatterns.Count == 0 ? null : [.. r.Shell.ApprovalPatterns]
            },
            MaxToolCalls = r.MaxToolCalls,
            Functions = [.. r.Functions.Select(f => new FunctionDocument { Name = f.Name, Description = f.Description, Parameters = f.Parameters, Strict = f.Strict })],
            ToolChoice = r.ToolChoice is null ? null : new ToolChoiceDocument { Mode = r.ToolChoice.Mode, Name = r.ToolChoice.Name },
            ParallelToolCalls = r.ParallelToolCalls,
            Settings = SettingsDocument.From(r.Settings),
            Metadata = new Dictionary<string, string>(r.Metadata),
            Background = r.Background,
            Unstored = !r.Store,
            Stream = r.Stream,
            CreatedAt = r.CreatedAt.UtcDateTime,
            CompletedAt = r.CompletedAt?.UtcDateTime,
            Error = r.Error is null ? null : new ErrorDocument { Code = r.Error.Code, Message = r.Error.Message },
            IncompleteReason = r.IncompleteReason,
            Input = [.. stored.Input.Select(InputDocument.From)],
            TraceId = r.TraceId,
            Tenant = r.Tenant,
        };
    }

    public Planner.Responses.StoredResponse ToStored(IEnumerable<ItemDocument> items) => new(
        new ResponseSnapshot
        {
            Id = Id,
            SessionId = SessionId,
            Status = Status,
            Model = Model,
            Instructions = Instructions,
            PreviousResponseId = PreviousResponseId,
            Shell = Shell is null ? null : new ShellToolSpec
            {
                Environment = Shell.Environment,
                ContainerId = Shell.ContainerId,
                NetworkPolicy = Shell.NetworkPolicy?.ToSpec(),
                MemoryMb = Shell.MemoryMb,
                FileIds = Shell.FileIds ?? [],
                Files = [.. (Shell.Files ?? []).Select(f => f.ToSeed())],
                Skills = [.. (Shell.Skills ?? []).Select(k => k.ToSeed())],
                RequireApproval = Shell.RequireApproval ?? ApprovalModes.Never,
                ApprovalPatterns = Shell.ApprovalPatterns ?? []
            },
            MaxToolCalls = MaxToolCalls,
            Functions = [.. Functions.Select(f => new FunctionToolSpec { Name = f.Name, Description = f.Description, Parameters = f.Parameters, Strict = f.Strict })],
            ToolChoice = ToolChoice is null ? null : new ToolChoiceSpec { Mode = ToolChoice.Mode, Name = ToolChoice.Name },
            ParallelToolCalls = ParallelToolCalls,
            Settings = Settings?.ToSettings(),
            Metadata = Metadata,
            Background = Background,
            Store = !Unstored,
            Stream = Stream,
            CreatedAt = MongoTime.Read(CreatedAt),
            CompletedAt = CompletedAt is { } completed ? MongoTime.Read(completed) : null,
            Output = [.. items.Select(i => i.ToItem())],
            Usage = Usage.Values.Aggregate(new TokenUsage(0, 0), (sum, u) => sum.Add(new TokenUsage(u.InputTokens, u.OutputTokens))),
            Error = Error is null ? null : new ResponseError(Error.Code, Error.Message),
            IncompleteReason = IncompleteReason,
            TraceId = TraceId,
            Tenant = Tenant,
        },
        [.. Input.Select(i => i.ToInput())]);
}

public sealed class ShellDocument
{
    [BsonElement("environment")] public string Environment { get; set; } = "";
    [BsonElement("containerId")] public string? ContainerId { get; set; }
    [BsonElement("networkPolicy")] public NetworkPolicyDocument? NetworkPolicy { get; set; }
    [BsonElement("memoryMb")] public int? MemoryMb { get; set; }
    [BsonElement("fileIds")] public List<string>? FileIds { get; set; }
    [BsonElement("files")] public List<FileSeedDocument>? Files { get; set; }
    [BsonElement("skills"), BsonIgnoreIfNull] public List<SkillSeedDocument>? Skills { get; set; }
    [BsonElement("requireApproval"), BsonIgnoreIfNull] public string? RequireApproval { get; set; }
    [BsonElement("approvalPatterns"), BsonIgnoreIfNull] public List<string>? ApprovalPatterns { get; set; }
}

/// <summary>A network policy other than none at all; absent means none.</summary>
public sealed class NetworkPolicyDocument
{
    [BsonElement("type")] public string Type { get; set; } = "";
    [BsonElement("allowedDomains")] public List<string> AllowedDomains { get; set; } = [];

    public static NetworkPolicyDocument? From(NetworkPolicySpec? policy) =>
        policy is null ? null : new NetworkPolicyDocument { Type = policy.Type, AllowedDomains = [.. policy.AllowedDomains] };

    public NetworkPolicySpec ToSpec() => new() { Type = Type, AllowedDomains = AllowedDomains };
}

public sealed class ErrorDocument
{
    [BsonElement("code")] public string Code { get; set; } = "";
    [BsonElement("message")] public string Message { get; set; } = "";
}

public sealed class InputDocument
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
public sealed class ApprovalDocument
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

public sealed class PartDocument
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

public sealed class FunctionDocument
{
    [BsonElement("name")] public string Name { get; set; } = "";
    [BsonElement("description")] public string? Description { get; set; }
    [BsonElement("parameters")] public string? Parameters { get; set; }
    [BsonElement("strict")] public bool Strict { get; set; }
}

public sealed class SettingsDocument
{
    [BsonElement("temperature")] public double? Temperature { get; set; }
    [BsonElement("topP")] public double? TopP { get; set; }
    [BsonElement("maxOutputTokens")] public int? MaxOutputTokens { get; set; }
    [BsonElement("textFormat")] public TextFormatDocument? TextFormat { get; set; }
    [BsonElement("reasoningEffort")] public string? ReasoningEffort { get; set; }
    [BsonElement("user")] public string? User { get; set; }
    [BsonElement("safetyIdentifier")] public string? SafetyIdentifier { get; set; }
    [BsonElement("promptCacheKey")] public string? PromptCacheKey { get; set; }
    [BsonElement("truncation"), BsonIgnoreIfNull] public string? Truncation { get; set; }
    [BsonElement("compactThreshold"), BsonIgnoreIfNull] public int? CompactThreshold { get; set; }

    public static SettingsDocument? From(ModelSettings? s) => s is null ? null : new SettingsDocument
    {
        Temperature = s.Temperature,
        TopP = s.TopP,
        MaxOutputTokens = s.MaxOutputTokens,
        TextFormat = s.TextFormat is { } f ? new TextFormatDocument { Type = f.Type, Name = f.Name, Description = f.Description, Schema = f.Schema, Strict = f.Strict } : null,
        ReasoningEffort = s.ReasoningEffort,
        User = s.User,
        SafetyIdentifier = s.SafetyIdentifier,
        PromptCacheKey = s.PromptCacheKey,
        Truncation = s.Truncation,
        CompactThreshold = s.CompactThreshold,
    };

    public ModelSettings ToSettings() => new()
    {
        Temperature = Temperature,
        TopP = TopP,
        MaxOutputTokens = MaxOutputTokens,
        TextFormat = TextFormat is { } f ? new TextFormatSpec { Type = f.Type, Name = f.Name, Description = f.Description, Schema = f.Schema, Strict = f.Strict } : null,
        ReasoningEffort = ReasoningEffort,
        User = User,
        SafetyIdentifier = SafetyIdentifier,
        PromptCacheKey = PromptCacheKey,
        Truncation = Truncation,
        CompactThreshold = CompactThreshold,
    };
}

public sealed class TextFormatDocument
{
    [BsonElement("type")] public string Type { get; set; } = "";
    [BsonElement("name")] public string? Name { get; set; }
    [BsonElement("description")] public string? Description { get; set; }
    [BsonElement("schema")] public string? Schema { get; set; }
    [BsonElement("strict")] public bool? Strict { get; set; }
}

public sealed class ToolChoiceDocument
{
    [BsonElement("mode")] public string Mode { get; set; } = "";
    [BsonElement("name")] public string? Name { get; set; }
}

public sealed class UsageDocument
{
    [BsonElement("input")] public int InputTokens { get; set; }
    [BsonElement("output")] public int OutputTokens { get; set; }
}

/// <summary>
/// Collection <c>response_items</c>: one document per output item, so a long response never
/// approaches MongoDB's 16 MB document limit however many calls it makes.
/// </summary>
[BsonIgnoreExtraElements]
public sealed class ItemDocument
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

public sealed class OutputDocument
{
    [BsonElement("stdout")] public string Stdout { get; set; } = "";
    [BsonElement("stderr")] public string Stderr { get; set; } = "";
    [BsonElement("exitCode")] public int? ExitCode { get; set; }
    [BsonElement("timedOut")] public bool TimedOut { get; set; }

    public static OutputDocument From(CommandOutput output) => new() { Stdout = output.Stdout, Stderr = output.Stderr, ExitCode = output.ExitCode, TimedOut = output.TimedOut };

    public CommandOutput ToOutput() => new() { Stdout = Stdout, Stderr = Stderr, ExitCode = ExitCode, TimedOut = TimedOut };
}

/// <summary>
/// Collection <c>response_events</c>: a response's stream, one document per event. The id is
/// the response and sequence number, so two writers can never give out the same number; the
/// unique (response, key) index keeps a replayed write from adding an event twice.
/// </summary>
[BsonIgnoreExtraElements]
public sealed class EventDocument
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

public sealed class FileSeedDocument
{
    [BsonElement("fileId")] public string FileId { get; set; } = "";
    [BsonElement("filename")] public string Filename { get; set; } = "";
    [BsonElement("content")] public string Content { get; set; } = "";

    public static FileSeedDocument From(ContainerFileSeed seed) => new() { FileId = seed.FileId, Filename = seed.Filename, Content = seed.ContentAddress.ToString() };

    public ContainerFileSeed ToSeed() => new(FileId, Filename, new Uri(Content));
}

public sealed class SkillSeedDocument
{
    [BsonElement("name")] public string Name { get; set; } = "";
    [BsonElement("description")] public string Description { get; set; } = "";
    [BsonElement("content")] public string Content { get; set; } = "";

    public static SkillSeedDocument From(ContainerSkillSeed seed) => new() { Name = seed.Name, Description = seed.Description, Content = seed.ContentAddress.ToString() };

    public ContainerSkillSeed ToSeed() => new(Name, Description, new Uri(Content));
}
