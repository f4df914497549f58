using Berth.Contracts;
using Berth.Planner.Mongo;
using Berth.Planner.Sessions;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace Berth.IntegrationTests.Storage;

/// <summary>
/// What goes over the wire to MongoDB, checked without a server: the documents' shape, and
/// that they read back as written. The contract suites check the rest wherever a server exists.
/// </summary>
public sealed class BsonMappingTests
{
    public BsonMappingTests() => MongoSetup.ConfigureSerialization();

    [Fact]
    public void Should_store_a_session_under_its_id_as_a_standard_uuid_and_read_it_back()
    {
        var session = new SessionState
        {
            CorrelationId = Guid.NewGuid(),
            CurrentState = "Acting",
            Version = 7,
            ActiveResponseId = "resp_1",
            WaitingResponseIds = ["resp_2", "resp_3"],
            ModelCalls = 2,
            ToolCalls = 3,
            MaxToolCalls = 9,
            PendingCalls = [new ShellCallSpec { CallId = "call_1", Commands = ["ls", "pwd"], TimeoutMs = 100 }],
            HeldCalls = [new ShellCallSpec { CallId = "call_2", Commands = ["git push"] }],
            HeldResponseId = "resp_0",
            RequireApproval = "patterns",
            ApprovalPatterns = ["^git push"],
            ExecutorId = "exec-1",
            ContainerId = "abc",
            NetworkPolicy = new NetworkPolicySpec { Type = NetworkPolicySpec.Allowlist, AllowedDomains = ["*.pythonhosted.org", "pypi.org"] },
            UpdatedAt = new DateTime(2026, 11, 26, 9, 0, 0, DateTimeKind.Utc),
        };

        var document = session.ToBsonDocument();
        var id = document["_id"].AsBsonBinaryData;
        Assert.Equal(BsonBinarySubType.UuidStandard, id.SubType);
        Assert.Equal(session.CorrelationId, id.ToGuid(GuidRepresentation.Standard));
        Assert.Equal(7, document["Version"].AsInt32);

        var read = BsonSerializer.Deserialize<SessionState>(document);
        Assert.Equal(session.CorrelationId, read.CorrelationId);
        Assert.Equal(session.CurrentState, read.CurrentState);
        Assert.Equal(session.WaitingResponseIds, read.WaitingResponseIds);
        Assert.Equal(["ls", "pwd"], Assert.Single(read.PendingCalls).Commands);
        Assert.Equal(100, read.PendingCalls[0].TimeoutMs);
        Assert.Equal(session.UpdatedAt, read.UpdatedAt);
        Assert.Equal(session.MaxToolCalls, read.MaxToolCalls);
        Assert.Equal(session.NetworkPolicy, read.NetworkPolicy);
        Assert.Equal(("call_2", "resp_0", "patterns"), (Assert.Single(read.HeldCalls).CallId, read.HeldResponseId, read.RequireApproval));
        Assert.Equal(session.ApprovalPatterns, read.ApprovalPatterns);
    }

    [Fact]
    public void Should_store_a_containers_tenant_and_network_policy_and_read_a_document_from_before_them()
    {
        var container = new ContainerSnapshot
        {
            Id = "cntr_1",
            Name = "box",
            Status = "running",
            SessionId = Guid.NewGuid(),
            CreatedAt = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000),
            LastActiveAt = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000),
            Tenant = "acme",
            NetworkPolicy = new NetworkPolicySpec { Type = NetworkPolicySpec.Allowlist, AllowedDomains = ["pypi.org"] },
        };

        var document = ContainerDocument.From(container).ToBsonDocument();

        Assert.Equal("acme", document["tenant"].AsString);
        Assert.Equal("allowlist", document["networkPolicy"]["type"].AsString);
        Assert.Equal(container, BsonSerializer.Deserialize<ContainerDocument>(document).ToSnapshot());

        // Written before tenants and policies: no tenant (the planner reads it as local), no network.
        document.Remove("tenant");
        document.Remove("networkPolicy");
        var old = BsonSerializer.Deserialize<ContainerDocument>(document).ToSnapshot();
        Assert.Equal((null, null), (old.Tenant, old.NetworkPolicy));
    }

    [Fact]
    public void Should_store_a_response_with_the_documented_field_names()
    {
        var stored = new Planner.Responses.StoredResponse(new ResponseSnapshot
        {
            Id = "resp_1",
            SessionId = Guid.NewGuid(),
            Status = "queued",
            Model = "m",
            Shell = new ShellToolSpec
            {
                NetworkPolicy = new NetworkPolicySpec { Type = NetworkPolicySpec.Allowlist, AllowedDomains = ["pypi.org"] },
                MemoryMb = 4096,
                FileIds = ["file-0123456789abcdef0123456789abcdef"],
                Files = [new ContainerFileSeed("file-0123456789abcdef0123456789abcdef", "data.csv", new Uri("urn:berth-payload:file:kept:abc"))],
            },
            Metadata = new Dictionary<string, string> { ["k"] = "v" },
            CreatedAt = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000),
            Tenant = "acme",
        }, [new InputMessage("user", "hi")]);

        var document = ResponseDocument.From(stored).ToBsonDocument();

        Assert.Equal("resp_1", document["_id"].AsString);
        Assert.Equal(BsonBinarySubType.UuidStandard, document["sessionId"].AsBsonBinaryData.SubType);
        Assert.Equal("container_auto", document["shell"]["environment"].AsString);
        Assert.Equal("hi", document["input"][0]["text"].AsString);
        Assert.Equal(BsonType.DateTime, document["createdAt"].BsonType);
        Assert.Equal("acme", document["tenant"].AsString);
        var read = BsonSerializer.Deserialize<ResponseDocument>(document).ToStored([]);
        Assert.Equal(stored.Snapshot.SessionId, read.Snapshot.SessionId);
        Assert.Equal(stored.Snapshot.CreatedAt, read.Snapshot.CreatedAt);
        Assert.Equal(stored.Input, read.Input);
        Assert.Equal("acme", read.Snapshot.Tenant);
        Assert.Equal(["pypi.org"], document["shell"]["networkPolicy"]["allowedDomains"].AsBsonArray.Select(d => d.AsString));
        Assert.Equal(stored.Snapshot.Shell, read.Snapshot.Shell);
    }

    [Fact]
    public void Should_store_a_responses_functions_tool_choice_settings_function_outputs_and_function_calls_and_read_them_back()
    {
        var stored = new Planner.Responses.StoredResponse(new ResponseSnapshot
        {
            Id = "resp_2",
            SessionId = Guid.NewGuid(),
            Status = "queued",
            Model = "m",
            Functions = [new FunctionToolSpec { Name = "get_weather", Description = "d", Parameters = """{"type":"object"}""", Strict = false }, new FunctionToolSpec { Name = "f" }],
            ToolChoice = new ToolChoiceSpec { Mode = ToolChoiceSpec.Named, Name = "f" },
            ParallelToolCalls = false,
            Settings = new ModelSettings
            {
                Temperature = 0.2,
                TopP = 0.9,
                MaxOutputTokens = 100,
                ReasoningEffort = "low",
                User = "u",
                SafetyIdentifier = "s",
                PromptCacheKey = "k",
                Truncation = ModelSettings.TruncateAuto,
                TextFormat = new TextFormatSpec { Type = TextFormatSpec.JsonSchema, Name = "n", Description = "d", Schema = """{"type":"object"}""", Strict = true },
            },
            CreatedAt = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000),
        }, [new InputMessage(InputMessage.Tool, "sunny") { CallId = "call_1" }, new InputMessage("user", "and tomorrow?")]);
        var call = new ResponseItem { Id = "fc_1", Type = ResponseItem.FunctionCall, CallId = "call_2", Name = "get_weather", Arguments = """{"city":"Paris"}""" };

        var document = ResponseDocument.From(stored).ToBsonDocument();
        var item = ItemDocument.From("resp_2", 0, DateTime.UtcNow, call).ToBsonDocument();

        Assert.Equal("get_weather", document["functions"][0]["name"].AsString);
        Assert.Equal("call_1", document["input"][0]["callId"].AsString);
        Assert.Equal("named", document["toolChoice"]["mode"].AsString);
        Assert.Equal("""{"city":"Paris"}""", item["arguments"].AsString);
        var read = BsonSerializer.Deserialize<ResponseDocument>(document).ToStored([BsonSerializer.Deserialize<ItemDocument>(item)]);
        Assert.Equal(stored.Snapshot.Functions, read.Snapshot.Functions);
        Assert.Equal(stored.Snapshot.ToolChoice, read.Snapshot.ToolChoice);
        Assert.False(read.Snapshot.ParallelToolCalls);
        Assert.Equal(stored.Snapshot.Settings, read.Snapshot.Settings);
        Assert.Equal(0.2, document["settings"]["temperature"].AsDouble);
        Assert.Equal(stored.Input, read.Input);
        Assert.Equal(call, read.Snapshot.Output.Single());
    }

    [Fact]
    public void Should_store_input_ids_and_output_items_sent_back_and_read_an_input_from_before_them()
    {
        var shell = new ResponseItem
        {
            Id = "sho_1",
            Type = ResponseItem.ShellCallOutput,
            CallId = "call_s",
            MaxOutputLength = 10,
            Outputs = [new CommandOutput { Stdout = "a", Stderr = "b", ExitCode = 3 }, new CommandOutput { TimedOut = true }],
        };
        var stored = new Planner.Responses.StoredResponse(new ResponseSnapshot { Id = "resp_3", SessionId = Guid.NewGuid(), Status = "queued", Model = "m" },
            [
                new InputMessage("user", "hi") { Id = "msg_1" },
                new InputMessage(InputMessage.OutputItem, "") { Id = shell.Id, Item = shell },
                new InputMessage("user", "see") { Parts = [new ContentPart { Type = ContentPart.InputText, Text = "see" }, new ContentPart { Type = ContentPart.InputImage, ImageUrl = "https://a.test/a.png", Detail = "low" },
                    new ContentPart { Type = ContentPart.InputFile, FileId = "file-1", Filename = "r.pdf", ContentAddress = new Uri("urn:payload:abc"), MediaType = "application/pdf" },
                    new ContentPart { Type = ContentPart.InputFile, Filename = "n.txt", FileData = "data:text/plain;base64,aGk=", MediaType = "text/plain" }] },
            ]);

        var document = ResponseDocument.From(stored).ToBsonDocument();
        var read = BsonSerializer.Deserialize<ResponseDocument>(document).ToStored([]);

        Assert.Equal("msg_1", document["input"][0]["id"].AsString);
        Assert.False(document["input"][0].AsBsonDocument.Contains("item"));
        Assert.Equal("shell_call_output", document["input"][1]["item"]["type"].AsString);
        Assert.Equal(stored.Input[0], read.Input[0]);
        var resent = read.Input[1].Item!;
        Assert.Equal((InputMessage.OutputItem, "sho_1"), (read.Input[1].Role, read.Input[1].Id));
        Assert.Equal((shell.Id, shell.CallId, shell.MaxOutputLength), (resent.Id, resent.CallId, resent.MaxOutputLength));
        Assert.Equal(shell.Outputs, resent.Outputs);
        Assert.Equal(stored.Input[2].Parts, read.Input[2].Parts);
        Assert.Equal("https://a.test/a.png", document["input"][2]["parts"][1]["imageUrl"].AsString);

        var older = new BsonDocument { { "role", "user" }, { "text", "from before ids" }, { "callId", BsonNull.Value } };
        Assert.Equal(new InputMessage("user", "from before ids"), BsonSerializer.Deserialize<InputDocument>(older).ToInput());
    }

    [Fact]
    public void Should_store_an_approval_policy_its_request_item_and_the_answer_with_who_gave_it_and_read_them_back()
    {
        var decidedAt = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
        var answer = new InputMessage(InputMessage.ApprovalResponse, "")
        {
            Id = "sarr_1",
            Approval = new ApprovalDecision { RequestId = "sar_1", Approve = false, Reason = "not on main", DecidedBy = "acme", DecidedAt = decidedAt },
        };
        var shell = new ShellToolSpec { RequireApproval = ApprovalModes.Patterns, ApprovalPatterns = ["^git push", @"\bcurl\b"] };
        var stored = new Planner.Responses.StoredResponse(new ResponseSnapshot { Id = "resp_9", SessionId = Guid.NewGuid(), Status = "queued", Model = "m", Shell = shell }, [answer]);
        var request = new ResponseItem { Id = "sar_2", Type = ResponseItem.ShellApprovalRequest, CallId = "call_2", Commands = ["git push"], TimeoutMs = 1000 };

        var document = ResponseDocument.From(stored).ToBsonDocument();
        var read = BsonSerializer.Deserialize<ResponseDocument>(document).ToStored([ItemDocument.From("resp_9", 0, default, request)]);

        Assert.Equal("patterns", document["shell"]["requireApproval"].AsString);
        Assert.Equal("acme", document["input"][0]["approval"]["decidedBy"].AsString);
        Assert.Equal(shell, read.Snapshot.Shell);
        Assert.Equal(answer, read.Input[0]);
        var item = Assert.Single(read.Snapshot.Output);
        Assert.Equal((request.Type, request.CallId, request.TimeoutMs), (item.Type, item.CallId, item.TimeoutMs));
        Assert.Equal(request.Commands, item.Commands);

        // A response stored before approvals existed asks for none.
        var older = BsonSerializer.Deserialize<ResponseDocument>(new BsonDocument(document) { ["shell"] = new BsonDocument { { "environment", "container_auto" } } });
        Assert.Equal(ApprovalModes.Never, older.ToStored([]).Snapshot.Shell!.RequireApproval);
    }

    [Fact]
    public void Should_store_a_commands_whole_output_with_its_event_and_read_it_back()
    {
        var e = new ResponseStreamEvent
        {
            SequenceNumber = 7,
            Type = "response.shell_call_output_content.done",
            OutputIndex = 1,
            ItemId = "sho_1",
            CommandIndex = 2,
            Output = new CommandOutput { Stdout = "out", Stderr = "err", TimedOut = true },
        };

        var document = EventDocument.From("resp_4", "sho_1:content2.done", DateTime.UtcNow, e).ToBsonDocument();
        var read = BsonSerializer.Deserialize<EventDocument>(document).ToEvent();

        Assert.True(document["output"]["timedOut"].AsBoolean);
        Assert.Equal(e, read);
        Assert.False(EventDocument.From("resp_4", "k", DateTime.UtcNow, e with { Output = null }).ToBsonDocument().Contains("output"));
    }

    [Fact]
    public void Should_sum_the_usage_written_by_model_call()
    {
        var document = new BsonDocument
        {
            { "_id", "resp_1" }, { "sessionId", new BsonBinaryData(Guid.NewGuid(), GuidRepresentation.Standard) }, { "status", "completed" },
            { "model", "m" }, { "createdAt", DateTime.UtcNow },
            { "usage", new BsonDocument { { "1", new BsonDocument { { "input", 10 }, { "output", 1 } } }, { "2", new BsonDocument { { "input", 5 }, { "output", 2 } } } } },
        };

        var usage = BsonSerializer.Deserialize<ResponseDocument>(document).ToStored([]).Snapshot.Usage;

        Assert.Equal(new TokenUsage(15, 3), usage);
    }
}
