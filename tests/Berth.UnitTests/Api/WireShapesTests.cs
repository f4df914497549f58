using Berth.Api.Containers;
using Berth.Api.Conversations;
using Berth.Api.Files;
using Berth.Api.Models;
using Berth.Api.Responses;
using Berth.Api.Skills;
using Berth.Api.Wire;
using Berth.Contracts;
using Berth.ServiceDefaults;
using Berth.UnitTests.Api.Golden;

namespace Berth.UnitTests.Api;

/// <summary>
/// Every object the api writes, pinned byte for byte against the files in <c>Golden/</c>, so the
/// way a body is produced can change while what clients read does not.
/// </summary>
public sealed class WireShapesTests
{
    // Escaping is part of the shape: non-ASCII, HTML-sensitive characters, quotes and a newline.
    private const string Tricky = "über <b>&'\"\nline";
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(1_760_000_000);
    private static readonly DateTimeOffset Later = Created.AddMinutes(3);

    private static ContainerSnapshot Container(int? memoryMb, NetworkPolicySpec? policy, string id = "cntr_0123456789abcdef0123456789abcdef") => new()
    {
        Id = id,
        Name = Tricky,
        Status = ContainerStatuses.Running,
        SessionId = Guid.Parse("11111111-2222-3333-4444-555555555555"),
        IdleMinutes = 20,
        MemoryMb = memoryMb,
        CreatedAt = Created,
        LastActiveAt = Later,
        NetworkPolicy = policy,
    };

    private static readonly NetworkPolicySpec Allowlist = new() { Type = NetworkPolicySpec.Allowlist, AllowedDomains = ["example.com", "*.pypi.org"] };

    private static ContainerFileInfo ContainerFile(string path) => new() { Path = path, Bytes = 42, CreatedAt = Created, Source = "user" };

    private static FileSnapshot File(DateTimeOffset? expires, string id = "file-0123456789abcdef") => new()
    {
        Id = id,
        Filename = "données <1>.csv",
        Purpose = "user_data",
        Bytes = 1234,
        CreatedAt = Created,
        ExpiresAt = expires,
        ContentAddress = new Uri("urn:berth:payload:abc"),
    };

    private static SkillSnapshot Skill() => new()
    {
        Id = "skill_0123456789abcdef0123456789abcdef",
        CreatedAt = Created,
        DefaultVersion = "1",
        LatestVersion = "2",
        Versions =
        [
            new SkillVersionSnapshot { Version = "1", Name = "csv-tools", Description = Tricky, CreatedAt = Created, ContentAddress = new Uri("urn:berth:payload:v1"), Bytes = 10 },
            new SkillVersionSnapshot { Version = "2", Name = "csv-tools", Description = "newer", CreatedAt = Later, ContentAddress = new Uri("urn:berth:payload:v2"), Bytes = 11 },
        ],
    };

    [Fact]
    public void Should_keep_the_container_shapes_when_rendered()
    {
        GoldenFiles.AssertMatches("container-allowlist", ContainerJson.Serialize(Container(4096, Allowlist)));
        GoldenFiles.AssertMatches("container-default", ContainerJson.Serialize(Container(null, null)));
        GoldenFiles.AssertMatches("container-list", ContainerJson.SerializeList([Container(2048, null), Container(null, Allowlist, "cntr_ffff")], hasMore: true));
        GoldenFiles.AssertMatches("container-list-empty", ContainerJson.SerializeList([], hasMore: false));
        GoldenFiles.AssertMatches("container-deleted", ContainerJson.SerializeDeleted("cntr_0123"));
    }

    [Fact]
    public void Should_keep_the_container_file_shapes_when_rendered()
    {
        GoldenFiles.AssertMatches("container-file", ContainerFileJson.Serialize("cntr_0123", ContainerFile("reports/ünï <x>.txt")));
        GoldenFiles.AssertMatches("container-file-list", ContainerFileJson.SerializeList("cntr_0123", [ContainerFile("a.txt"), ContainerFile("b/c.txt")], hasMore: false));
        GoldenFiles.AssertMatches("container-file-deleted", ContainerFileJson.SerializeDeleted("cfile_YS50eHQ"));
    }

    [Fact]
    public void Should_keep_the_file_shapes_when_rendered()
    {
        GoldenFiles.AssertMatches("file-expiring", FileJson.Serialize(File(Later)));
        GoldenFiles.AssertMatches("file-list", FileJson.SerializeList([File(null), File(Later, "file-2")], hasMore: true));
        GoldenFiles.AssertMatches("file-deleted", FileJson.SerializeDeleted("file-0123456789abcdef"));
    }

    [Fact]
    public void Should_keep_the_skill_shapes_when_rendered()
    {
        var skill = Skill();
        GoldenFiles.AssertMatches("skill", SkillJson.Serialize(skill));
        GoldenFiles.AssertMatches("skill-version", SkillJson.SerializeVersion(skill.Id, skill.Versions[1]));
        GoldenFiles.AssertMatches("skill-deleted", SkillJson.SerializeDeleted(skill.Id));
        GoldenFiles.AssertMatches("skill-version-deleted", SkillJson.SerializeVersionDeleted(skill.Id, "2"));
        GoldenFiles.AssertMatches("skill-list", SkillJson.SerializeList([skill], hasMore: false));
        GoldenFiles.AssertMatches("skill-version-list", SkillJson.SerializeVersionList(skill.Id, skill.Versions, hasMore: false));
    }

    [Fact]
    public void Should_keep_the_conversation_shapes_when_rendered()
    {
        var conversation = new ConversationSnapshot { Id = "conv_0123", CreatedAt = Created, Metadata = new Dictionary<string, string> { ["topic"] = Tricky, ["b"] = "2" } };
        GoldenFiles.AssertMatches("conversation", ConversationJson.Serialize(conversation));
        GoldenFiles.AssertMatches("conversation-bare", ConversationJson.Serialize(conversation with { Metadata = null }));
        GoldenFiles.AssertMatches("conversation-deleted", ConversationJson.SerializeDeleted("conv_0123"));
        GoldenFiles.AssertMatches("conversation-item", ConversationJson.SerializeItem(new InputMessage("user", Tricky) { Id = "msg_1" }));
    }

    [Fact]
    public void Should_keep_the_input_item_shapes_when_rendered()
    {
        InputMessage[] items =
        [
            new("user", "plain") { Id = "msg_1" },
            new("system", "") { Id = "msg_2", Parts = [
                new ContentPart { Type = ContentPart.InputText, Text = Tricky },
                new ContentPart { Type = ContentPart.InputImage, ImageUrl = "data:image/png;base64,AAAA", FileId = null },
                new ContentPart { Type = ContentPart.InputImage, FileId = "file-img", Detail = "high" },
                new ContentPart { Type = ContentPart.InputFile, FileId = "file-doc", Filename = "a.pdf" },
                new ContentPart { Type = ContentPart.InputFile, Filename = "b.pdf", FileData = "data:application/pdf;base64,AAAA" },
            ] },
            new(InputMessage.Tool, "{\"ok\":true}") { Id = "fco_1", CallId = "call_1" },
            new("assistant", "said before") { Id = "msg_3" },
            new(InputMessage.OutputItem, "") { Id = "sh_1", Item = ShellCall("sh_1") },
            new(InputMessage.ApprovalResponse, "") { Id = "sarr_1", Approval = new ApprovalDecision { RequestId = "sar_1", Approve = false, Reason = Tricky, DecidedBy = "acme", DecidedAt = Later } },
            new(InputMessage.ApprovalResponse, "") { Id = "sarr_2", Approval = new ApprovalDecision { RequestId = "sar_2", Approve = true } },
        ];

        GoldenFiles.AssertMatches("input-items", ResponseJson.SerializeItems(items, true));
    }

    private static ResponseItem ShellCall(string id, string status = ItemStatus.Completed) => new()
    {
        Id = id,
        Type = ResponseItem.ShellCall,
        Status = status,
        CallId = "call_sh",
        Commands = ["ls -la", Tricky],
        TimeoutMs = 5000,
    };

    private static IReadOnlyList<ResponseItem> EveryItem() =>
    [
        new ResponseItem { Id = "msg_a", Type = ResponseItem.Message, Text = Tricky },
        new ResponseItem { Id = "msg_b", Type = ResponseItem.Message, Status = ItemStatus.InProgress },
        ShellCall("sh_a"),
        new ResponseItem
        {
            Id = "sho_a",
            Type = ResponseItem.ShellCallOutput,
            CallId = "call_sh",
            MaxOutputLength = 1000,
            Outputs = [new CommandOutput { Stdout = Tricky, Stderr = "", ExitCode = 0 }, new CommandOutput { Stdout = "", Stderr = "slow", TimedOut = true }],
        },
        new ResponseItem { Id = "fc_a", Type = ResponseItem.FunctionCall, CallId = "call_fn", Name = "get_weather", Arguments = "{\"city\":\"Zürich\"}" },
        new ResponseItem { Id = "fc_b", Type = ResponseItem.FunctionCall, CallId = "call_fn2", Name = "noop" },
        new ResponseItem { Id = "cmp_a", Type = ResponseItem.Compaction, EncryptedContent = "sealed==" },
        new ResponseItem { Id = "sar_a", Type = ResponseItem.ShellApprovalRequest, CallId = "call_wait", Commands = ["git push"], MaxOutputLength = 100 },
    ];

    private static ResponseSnapshot FullResponse() => new()
    {
        Id = "resp_0123456789abcdef0123456789abcdef",
        SessionId = Guid.Parse("11111111-2222-3333-4444-555555555555"),
        Status = ResponseStatuses.Completed,
        Model = "gpt-4o-mini",
        Instructions = Tricky,
        PreviousResponseId = "resp_prev",
        ConversationId = null,
        Shell = new ShellToolSpec { Environment = ShellEnvironments.Auto, NetworkPolicy = Allowlist, RequireApproval = ApprovalModes.Patterns, ApprovalPatterns = ["^git push", "\\bcurl\\b"] },
        MaxToolCalls = 8,
        Functions =
        [
            new FunctionToolSpec { Name = "get_weather", Description = "The weather", Parameters = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}" },
            new FunctionToolSpec { Name = "noop", Strict = false },
        ],
        ToolChoice = new ToolChoiceSpec { Mode = ToolChoiceSpec.Named, Name = "get_weather" },
        ParallelToolCalls = false,
        Settings = new ModelSettings
        {
            Temperature = 0.25,
            TopP = 0.5,
            MaxOutputTokens = 512,
            TextFormat = new TextFormatSpec { Type = TextFormatSpec.JsonSchema, Name = "answer", Schema = "{\"type\":\"object\", \"properties\": {}}", Strict = true },
            ReasoningEffort = "low",
            User = "u-1",
            SafetyIdentifier = "safe-1",
            PromptCacheKey = "cache-1",
            Truncation = ModelSettings.TruncateAuto,
        },
        Metadata = new Dictionary<string, string> { ["k"] = Tricky },
        Background = true,
        CreatedAt = Created,
        CompletedAt = Later,
        Output = EveryItem(),
        Usage = new TokenUsage(120, 30),
        TraceId = "0af7651916cd43dd8448eb211c80319c",
    };

    private static ResponseSnapshot BareResponse(string status) => new()
    {
        Id = "resp_bare",
        SessionId = Guid.Empty,
        Status = status,
        Model = "scripted",
        CreatedAt = Created,
    };

    [Fact]
    public void Should_keep_the_response_shapes_when_rendered()
    {
        GoldenFiles.AssertMatches("response-full", ResponseJson.Serialize(FullResponse()));
        GoldenFiles.AssertMatches("response-bare", ResponseJson.Serialize(BareResponse(ResponseStatuses.Queued)));
        GoldenFiles.AssertMatches("response-failed", ResponseJson.Serialize(BareResponse(ResponseStatuses.Failed) with
        {
            Error = new ResponseError(ErrorCodes.SandboxError, Tricky),
            CompletedAt = Later,
            Shell = new ShellToolSpec { Environment = ShellEnvironments.Reference, ContainerId = "cntr_x", NetworkPolicy = Allowlist, RequireApproval = ApprovalModes.Always },
            ToolChoice = new ToolChoiceSpec { Mode = ToolChoiceSpec.Named, Name = "shell" },
            ConversationId = "conv_1",
            Settings = new ModelSettings { TextFormat = new TextFormatSpec { Type = TextFormatSpec.JsonSchema, Name = "n", Schema = "{}" } },
        }));
        GoldenFiles.AssertMatches("response-incomplete", ResponseJson.Serialize(BareResponse(ResponseStatuses.Incomplete) with
        {
            IncompleteReason = IncompleteReasons.MaxToolCalls,
            ToolChoice = new ToolChoiceSpec { Mode = ToolChoiceSpec.Required },
            Settings = new ModelSettings { TextFormat = new TextFormatSpec { Type = TextFormatSpec.JsonObject } },
        }));
    }

    [Fact]
    public void Should_keep_the_stream_event_shapes_when_rendered()
    {
        var response = FullResponse();
        var shellOutput = new CommandOutput { Stdout = "out", Stderr = Tricky, ExitCode = 2 };
        ResponseStreamEvent[] events =
        [
            new() { SequenceNumber = 0, Type = "response.created", Status = ResponseStatuses.Queued },
            new() { SequenceNumber = 1, Type = "response.in_progress", Status = ResponseStatuses.InProgress },
            new() { SequenceNumber = 2, Type = "response.output_item.added", OutputIndex = 0, Item = new ResponseItem { Id = "msg_a", Type = ResponseItem.Message, Status = ItemStatus.InProgress } },
            new() { SequenceNumber = 3, Type = "response.content_part.added", OutputIndex = 0, ItemId = "msg_a" },
            new() { SequenceNumber = 4, Type = "response.output_text.delta", OutputIndex = 0, ItemId = "msg_a", Text = Tricky },
            new() { SequenceNumber = 5, Type = "response.output_text.done", OutputIndex = 0, ItemId = "msg_a", Text = Tricky },
            new() { SequenceNumber = 6, Type = "response.content_part.done", OutputIndex = 0, ItemId = "msg_a", Text = Tricky },
            new() { SequenceNumber = 7, Type = "response.output_item.done", OutputIndex = 0, Item = EveryItem()[0] },
            new() { SequenceNumber = 8, Type = "response.function_call_arguments.delta", OutputIndex = 4, ItemId = "fc_a", Text = "{\"city\":" },
            new() { SequenceNumber = 9, Type = "response.function_call_arguments.done", OutputIndex = 4, ItemId = "fc_a", Item = EveryItem()[4], Text = "{\"city\":\"Zürich\"}" },
            new() { SequenceNumber = 10, Type = "response.shell_call_command.added", OutputIndex = 2, CommandIndex = 0, Text = "" },
            new() { SequenceNumber = 11, Type = "response.shell_call_command.delta", OutputIndex = 2, CommandIndex = 0, Text = "ls -la" },
            new() { SequenceNumber = 12, Type = "response.shell_call_command.done", OutputIndex = 2, CommandIndex = 0, Text = "ls -la" },
            new() { SequenceNumber = 13, Type = "response.shell_call_output_content.delta", OutputIndex = 3, CommandIndex = 0, ItemId = "sho_a", Stdout = "out", Stderr = null },
            new() { SequenceNumber = 14, Type = "response.shell_call_output_content.done", OutputIndex = 3, CommandIndex = 0, ItemId = "sho_a", Output = shellOutput },
            new() { SequenceNumber = 15, Type = "response.completed" },
        ];

        GoldenFiles.AssertMatches("stream-events", string.Join('\n', events.Select(e => System.Text.Encoding.UTF8.GetString(ResponseJson.SerializeEvent(e, response)))));
    }

    /// <summary>Pinned by hand from the writers they replaced, which were private to their services.</summary>
    [Fact]
    public void Should_keep_the_model_and_response_deletion_shapes_when_rendered()
    {
        GoldenFiles.AssertMatches("model", ModelJson.Serialize(new ModelInfo("gpt-4o-mini", 1_760_000_000, "berth")));
        GoldenFiles.AssertMatches("model-list", ModelJson.SerializeList([new ModelInfo("gpt-4o-mini", 1_760_000_000, "berth"), new ModelInfo("local/ünï", 0, "system")]));
        GoldenFiles.AssertMatches("response-deleted", DeletedObject.Serialize("resp_0123", "response"));
    }

    [Fact]
    public void Should_keep_the_shell_output_shape_that_clients_and_the_model_read()
    {
        GoldenFiles.AssertMatches("shell-outputs", ShellOutputJson.Serialize(
        [
            new CommandOutput { Stdout = Tricky, Stderr = "warn", ExitCode = 0 },
            new CommandOutput { Stdout = "", Stderr = "", ExitCode = 137 },
            new CommandOutput { Stdout = "partial", TimedOut = true, ExitCode = null },
        ]));
    }
}
