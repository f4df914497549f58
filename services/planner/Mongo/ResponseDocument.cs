using Berth.Contracts;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Attributes;

namespace Berth.Planner.Mongo;

// The stored shape is spelled out here, element by element, rather than derived from the
// contracts: renaming a C# property must never silently change what is on disk.

/// <summary>Collection <c>responses</c>: one document per response, without its output items.</summary>
[BsonIgnoreExtraElements]
internal sealed class ResponseDocument
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
                Image = r.Shell.Image,
                RestoreFrom = r.Shell.RestoreFrom?.ToString(),
                RestoreSkillsFrom = r.Shell.RestoreSkillsFrom?.ToString(),
                RestoredFrom = r.Shell.RestoredFrom,
                IdleMinutes = r.Shell.IdleMinutes,
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
                Image = Shell.Image,
                RestoreFrom = Shell.RestoreFrom is { } archive ? new Uri(archive) : null,
                RestoreSkillsFrom = Shell.RestoreSkillsFrom is { } skills ? new Uri(skills) : null,
                RestoredFrom = Shell.RestoredFrom,
                IdleMinutes = Shell.IdleMinutes,
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

internal sealed class ShellDocument
{
    [BsonElement("environment")] public string Environment { get; set; } = "";
    [BsonElement("containerId")] public string? ContainerId { get; set; }
    [BsonElement("networkPolicy")] public NetworkPolicyDocument? NetworkPolicy { get; set; }
    [BsonElement("memoryMb")] public int? MemoryMb { get; set; }
    [BsonElement("image")] public string? Image { get; set; }
    [BsonElement("restoreFrom")] public string? RestoreFrom { get; set; }
    [BsonElement("restoreSkillsFrom"), BsonIgnoreIfNull] public string? RestoreSkillsFrom { get; set; }
    [BsonElement("restoredFrom"), BsonIgnoreIfNull] public string? RestoredFrom { get; set; }
    [BsonElement("idleMinutes"), BsonIgnoreIfNull] public int? IdleMinutes { get; set; }
    [BsonElement("fileIds")] public List<string>? FileIds { get; set; }
    [BsonElement("files")] public List<FileSeedDocument>? Files { get; set; }
    [BsonElement("skills"), BsonIgnoreIfNull] public List<SkillSeedDocument>? Skills { get; set; }
    [BsonElement("requireApproval"), BsonIgnoreIfNull] public string? RequireApproval { get; set; }
    [BsonElement("approvalPatterns"), BsonIgnoreIfNull] public List<string>? ApprovalPatterns { get; set; }
}

/// <summary>A network policy other than none at all; absent means none.</summary>
internal sealed class NetworkPolicyDocument
{
    [BsonElement("type")] public string Type { get; set; } = "";
    [BsonElement("allowedDomains")] public List<string> AllowedDomains { get; set; } = [];

    public static NetworkPolicyDocument? From(NetworkPolicySpec? policy) =>
        policy is null ? null : new NetworkPolicyDocument { Type = policy.Type, AllowedDomains = [.. policy.AllowedDomains] };

    public NetworkPolicySpec ToSpec() => new() { Type = Type, AllowedDomains = AllowedDomains };
}

internal sealed class ErrorDocument
{
    [BsonElement("code")] public string Code { get; set; } = "";
    [BsonElement("message")] public string Message { get; set; } = "";
}

internal sealed class FunctionDocument
{
    [BsonElement("name")] public string Name { get; set; } = "";
    [BsonElement("description")] public string? Description { get; set; }
    [BsonElement("parameters")] public string? Parameters { get; set; }
    [BsonElement("strict")] public bool Strict { get; set; }
}

internal sealed class SettingsDocument
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

internal sealed class TextFormatDocument
{
    [BsonElement("type")] public string Type { get; set; } = "";
    [BsonElement("name")] public string? Name { get; set; }
    [BsonElement("description")] public string? Description { get; set; }
    [BsonElement("schema")] public string? Schema { get; set; }
    [BsonElement("strict")] public bool? Strict { get; set; }
}

internal sealed class ToolChoiceDocument
{
    [BsonElement("mode")] public string Mode { get; set; } = "";
    [BsonElement("name")] public string? Name { get; set; }
}

internal sealed class UsageDocument
{
    [BsonElement("input")] public int InputTokens { get; set; }
    [BsonElement("output")] public int OutputTokens { get; set; }
}

internal sealed class FileSeedDocument
{
    [BsonElement("fileId")] public string FileId { get; set; } = "";
    [BsonElement("filename")] public string Filename { get; set; } = "";
    [BsonElement("content")] public string Content { get; set; } = "";

    public static FileSeedDocument From(ContainerFileSeed seed) => new() { FileId = seed.FileId, Filename = seed.Filename, Content = seed.ContentAddress.ToString() };

    public ContainerFileSeed ToSeed() => new(FileId, Filename, new Uri(Content));
}

internal sealed class SkillSeedDocument
{
    [BsonElement("name")] public string Name { get; set; } = "";
    [BsonElement("description")] public string Description { get; set; } = "";
    [BsonElement("content")] public string Content { get; set; } = "";

    public static SkillSeedDocument From(ContainerSkillSeed seed) => new() { Name = seed.Name, Description = seed.Description, Content = seed.ContentAddress.ToString() };

    public ContainerSkillSeed ToSeed() => new(Name, Description, new Uri(Content));
}
