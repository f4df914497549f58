using Berth.Contracts;
using Berth.Planner.Model;
using Berth.Planner.Responses;
using Berth.ScriptedModel;
using Berth.ServiceDefaults.Models;
using Berth.ServiceDefaults.Payloads;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Berth.UnitTests.Planner;

/// <summary>
/// The planner's model client, through the real OpenAI SDK, against the scripted model on
/// loopback; what a streamed answer announces goes to MassTransit's in-memory test harness.
/// </summary>
public sealed class ModelCallerTests : IAsyncLifetime
{
    private readonly InMemoryResponseStore _store = new();
    private readonly string _payloadDirectory = Directory.CreateTempSubdirectory("berth-model-files-").FullName;
    private PayloadStore _payloads = null!;
    private ServiceProvider _bus = null!;
    private ScriptedModelServer _model = null!;
    private ModelCaller _caller = null!;

    private ITestHarness Harness => _bus.GetRequiredService<ITestHarness>();

    public async ValueTask InitializeAsync()
    {
        _model = await ScriptedModelServer.StartAsync();
        _bus = new ServiceCollection().AddMassTransitTestHarness().BuildServiceProvider(validateScopes: true);
        _payloads = new PayloadStore(new FileSystemPayloadRepository(_payloadDirectory, TimeProvider.System), Options.Create(new PayloadOptions()), NullLogger<PayloadStore>.Instance);
        await Harness.Start();
        _caller = Caller(new ModelCatalog());
    }

    private ModelCaller Caller(ModelCatalog catalog)
    {
        var models = new ChatModels(Options.Create(new ModelOptions { BaseUrl = _model.BaseUrl.ToString(), MaxRetries = 1 }), Options.Create(catalog));
        return new ModelCaller(_store, models, new ContextCheck(new TokenCounter(), Options.Create(catalog)), new ModelFiles(_payloads),
            new Berth.Planner.Conversations.ConversationHistory(new Berth.Planner.Conversations.InMemoryConversationStore()),
            new Compactor(new TokenCounter(), new CompactionSeal(Options.Create(new Berth.Planner.PlannerOptions()), NullLogger<CompactionSeal>.Instance)),
            new TextDeltaRelay(_store, Harness.Bus, new ModelCancels(TimeProvider.System), TimeProvider.System), NullLogger<ModelCaller>.Instance);
    }

    private static ModelCatalog Catalog(params ModelEntry[] entries)
    {
        var catalog = new ModelCatalog();
        catalog.Models.AddRange(entries);
        return catalog;
    }

    public async ValueTask DisposeAsync()
    {
        await _model.DisposeAsync();
        await Harness.Stop();
        await _bus.DisposeAsync();
        Directory.Delete(_payloadDirectory, recursive: true);
    }

    private Task<ModelTurn> StoreAndAskAsync(string input, bool withShell = true, bool stream = false) =>
        StoreAndAskAsync($"resp_{Guid.NewGuid():N}", input, withShell, stream);

    private Task<ModelTurn> StoreAndAskAsync(string responseId, string input, bool withShell, bool stream, string model = "scripted", ModelCaller? caller = null) =>
        StoreAndAskAsync(responseId, [new InputMessage("user", input)], withShell, stream, model, caller);

    private async Task<ModelTurn> StoreAndAskAsync(string responseId, IReadOnlyList<InputMessage> input, bool withShell = false, bool stream = false, string model = "scripted", ModelCaller? caller = null)
    {
        var sessionId = Guid.NewGuid();
        await _store.TryAddAsync(new StoredResponse(new ResponseSnapshot
        {
            Id = responseId,
            SessionId = sessionId,
            Status = ResponseStatuses.InProgress,
            Model = model,
            Shell = withShell ? new ShellToolSpec() : null,
            Stream = stream,
        }, input), CancellationToken.None);

        return await (caller ?? _caller).AskAsync(sessionId, responseId, 1, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Should_call_a_catalog_model_at_its_endpoint_under_its_upstream_name_and_refuse_a_name_not_listed()
    {
        var caller = Caller(Catalog(new ModelEntry { Id = "fast", Name = "upstream-fast-v2", BaseUrl = _model.BaseUrl.ToString() }));
        var marker = Guid.NewGuid().ToString("N");

        var answered = await StoreAndAskAsync($"resp_{Guid.NewGuid():N}", marker, withShell: false, stream: false, model: "fast", caller);
        var refused = await StoreAndAskAsync($"resp_{Guid.NewGuid():N}", "hello", withShell: false, stream: false, model: "scripted", caller);

        Assert.Null(answered.Error);
        Assert.Equal("upstream-fast-v2", _model.Requests.Single(r => r.LastUserText == marker).Model);
        Assert.Equal("model_not_found", refused.Error!.Code);
    }

    [Fact]
    public async Task Should_fail_with_context_length_exceeded_when_a_run_outgrows_the_window_and_truncation_is_disabled()
    {
        var caller = Caller(Catalog(new ModelEntry { Id = "small", BaseUrl = _model.BaseUrl.ToString(), ContextTokens = 1_100 }));
        var asked = _model.Requests.Count;

        var fits = await StoreAndAskAsync($"resp_{Guid.NewGuid():N}", "hello", withShell: false, stream: false, model: "small", caller);
        var outgrown = await StoreAndAskAsync($"resp_{Guid.NewGuid():N}", string.Join(' ', Enumerable.Range(0, 200)), withShell: false, stream: false, model: "small", caller);

        Assert.Null(fits.Error);
        Assert.Equal("context_length_exceeded", outgrown.Error!.Code);
        Assert.Contains("'truncation' to 'auto'", outgrown.Error.Message, StringComparison.Ordinal);
        Assert.Equal(asked + 1, _model.Requests.Count);
    }

    [Fact]
    public async Task Should_drop_the_oldest_turn_before_calling_the_model_when_truncation_is_auto_and_the_chain_outgrew_the_window()
    {
        var caller = Caller(Catalog(new ModelEntry { Id = "small", BaseUrl = _model.BaseUrl.ToString(), ContextTokens = 1_300 }));
        var old = $"resp_{Guid.NewGuid():N}";
        var current = $"resp_{Guid.NewGuid():N}";
        var marker = Guid.NewGuid().ToString("N");
        await _store.TryAddAsync(new StoredResponse(new ResponseSnapshot
        {
            Id = old,
            SessionId = Guid.NewGuid(),
            Status = ResponseStatuses.Completed,
            Model = "small",
            Output = [new ResponseItem { Id = "msg_old", Type = ResponseItem.Message, Text = string.Join(' ', Enumerable.Range(0, 300)) }],
        }, [new InputMessage("user", "the oldest question")]), CancellationToken.None);
        await _store.TryAddAsync(new StoredResponse(new ResponseSnapshot
        {
            Id = current,
            SessionId = Guid.NewGuid(),
            Status = ResponseStatuses.InProgress,
            Model = "small",
            PreviousResponseId = old,
            Settings = new ModelSettings { Truncation = ModelSettings.TruncateAuto },
        }, [new InputMessage("user", marker)]), CancellationToken.None);

        var turn = await caller.AskAsync(Guid.NewGuid(), current, 1, TestContext.Current.CancellationToken);

        Assert.Null(turn.Error);
        var sent = _model.Requests.Single(r => r.LastUserText == marker);
        Assert.DoesNotContain(sent.Messages, m => m.Content == "the oldest question");
        Assert.Equal(["user"], sent.Messages.Select(m => m.Role));
    }

    [Fact]
    public async Task Should_hold_a_second_call_until_the_first_ends_when_the_model_takes_one_at_a_time()
    {
        using var firstArrived = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        var arrived = 0;
        _model.UseScript(request =>
        {
            if (Interlocked.Increment(ref arrived) == 1)
            {
                firstArrived.Release();
                release.Wait(TimeSpan.FromSeconds(30));
            }

            return ScriptedReply.Say("done");
        });
        var caller = Caller(Catalog(new ModelEntry { Id = "single", BaseUrl = _model.BaseUrl.ToString(), MaxConcurrency = 1 }));

        var first = StoreAndAskAsync($"resp_{Guid.NewGuid():N}", "one", withShell: false, stream: false, model: "single", caller);
        await firstArrived.WaitAsync(TestContext.Current.CancellationToken);
        var second = StoreAndAskAsync($"resp_{Guid.NewGuid():N}", "two", withShell: false, stream: false, model: "single", caller);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        var arrivedWhileFirstRan = Volatile.Read(ref arrived);
        release.Release();

        Assert.Equal(1, arrivedWhileFirstRan);
        Assert.Null((await first).Error);
        Assert.Null((await second).Error);
        Assert.Equal(2, Volatile.Read(ref arrived));
    }

    [Fact]
    public async Task Should_send_uploaded_and_inline_files_and_images_to_the_model_as_their_bytes_and_fail_when_one_was_deleted()
    {
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
        var pdf = "%PDF-1.4 a report"u8.ToArray();
        var pdfAddress = await _payloads.KeepAsync(new MemoryStream(pdf), CancellationToken.None);
        var pngAddress = await _payloads.KeepAsync(new MemoryStream(png), CancellationToken.None);
        var marker = Guid.NewGuid().ToString("N");
        ContentPart[] parts =
        [
            new() { Type = ContentPart.InputText, Text = marker },
            new() { Type = ContentPart.InputFile, FileId = "file-1", Filename = "report.pdf", ContentAddress = pdfAddress, MediaType = "application/pdf" },
            new() { Type = ContentPart.InputImage, FileId = "file-2", Detail = "low", ContentAddress = pngAddress, MediaType = "image/png" },
            new() { Type = ContentPart.InputFile, Filename = "notes.txt", FileData = "data:text/plain;base64," + Convert.ToBase64String("hello"u8) },
        ];

        var turn = await StoreAndAskAsync($"resp_{Guid.NewGuid():N}", [new InputMessage("user", marker) { Parts = parts }]);

        Assert.Null(turn.Error);
        var sent = _model.Requests.Single(r => r.LastUserText == marker).Raw.GetProperty("messages").EnumerateArray().Last().GetProperty("content").EnumerateArray().ToList();
        Assert.Equal(["text", "file", "image_url", "file"], sent.Select(p => p.GetProperty("type").GetString()));
        Assert.Equal(("report.pdf", $"data:application/pdf;base64,{Convert.ToBase64String(pdf)}"),
            (sent[1].GetProperty("file").GetProperty("filename").GetString(), sent[1].GetProperty("file").GetProperty("file_data").GetString()));
        Assert.Equal(($"data:image/png;base64,{Convert.ToBase64String(png)}", "low"),
            (sent[2].GetProperty("image_url").GetProperty("url").GetString(), sent[2].GetProperty("image_url").GetProperty("detail").GetString()));
        Assert.Equal(("notes.txt", "data:text/plain;base64," + Convert.ToBase64String("hello"u8)),
            (sent[3].GetProperty("file").GetProperty("filename").GetString(), sent[3].GetProperty("file").GetProperty("file_data").GetString()));

        await _payloads.DeleteAsync(pdfAddress);
        var asked = _model.Requests.Count;
        var gone = await StoreAndAskAsync($"resp_{Guid.NewGuid():N}", [new InputMessage("user", marker) { Parts = parts }]);

        Assert.Equal(ErrorCodes.PayloadUnavailable, gone.Error?.Code);
        Assert.Contains("file-1", gone.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(asked, _model.Requests.Count);
    }

    [Fact]
    public async Task Should_compact_the_older_calls_past_the_threshold_and_send_the_summary_in_their_place()
    {
        var responseId = $"resp_{Guid.NewGuid():N}";
        var marker = Guid.NewGuid().ToString("N");
        var output = new List<ResponseItem>();
        for (var i = 0; i < 6; i++)
        {
            output.Add(new ResponseItem { Id = $"sh_{i}", Type = ResponseItem.ShellCall, CallId = $"call_{i}", Commands = [$"seq 1000 1200 # {marker}"] });
            output.Add(new ResponseItem { Id = $"sho_{i}", Type = ResponseItem.ShellCallOutput, CallId = $"call_{i}", Outputs = [new CommandOutput { Stdout = string.Join("\n", Enumerable.Range(1000, 200)), ExitCode = 0 }] });
        }

        var script = string.Join("\n", Enumerable.Range(0, 8).Select(i => $"seq 1000 1200 # {marker}"));
        var snapshot = new ResponseSnapshot
        {
            Id = responseId,
            SessionId = Guid.NewGuid(),
            Status = ResponseStatuses.InProgress,
            Model = "scripted",
            Shell = new ShellToolSpec(),
            Settings = new ModelSettings { CompactThreshold = 1500 },
            Output = output,
        };
        await _store.TryAddAsync(new StoredResponse(snapshot, [new InputMessage("user", script) { Id = "msg_script" }]), CancellationToken.None);

        var turn = await _caller.AskAsync(snapshot.SessionId, responseId, 7, TestContext.Current.CancellationToken);

        Assert.Null(turn.Error);
        var compaction = Assert.IsType<ResponseItem>(turn.Compaction);
        Assert.Equal(("sh_5", ResponseItem.Compaction), (compaction.CompactsBefore, compaction.Type));
        Assert.Contains("ran 5 command(s)", compaction.Text, StringComparison.Ordinal);
        Assert.NotNull(compaction.EncryptedContent);
        var asked = _model.Requests.Where(r => r.Raw.GetRawText().Contains(marker, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, asked.Count);
        var compacted = asked[^1];
        Assert.Equal(["user", "system", "assistant", "tool"], compacted.Messages.Select(m => m.Role));
        Assert.StartsWith(Conversation.SummaryHeading, compacted.Messages[1].Content, StringComparison.Ordinal);
        Assert.Equal("call_5", compacted.Messages[3].ToolCallId);
        Assert.True(Tokens(compacted) <= 1500, $"{Tokens(compacted)} tokens sent");
        Assert.True(Tokens(asked[0]) <= 1500, $"{Tokens(asked[0])} tokens asked for the summary");

        // From then on the stored item stands for what it covers: the next call needs no compaction.
        await _store.AppendItemAsync(responseId, compaction, CancellationToken.None);
        var next = await _caller.AskAsync(snapshot.SessionId, responseId, 8, TestContext.Current.CancellationToken);
        Assert.Null(next.Compaction);
        Assert.Equal(["user", "system", "assistant", "tool"], _model.Requests.Last().Messages.Select(m => m.Role));
    }

    private static readonly Microsoft.ML.Tokenizers.Tokenizer O200k = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("o200k_base");

    /// <summary>The tokens of what a request says (its messages' text and its calls' arguments), without the framing: at most what the planner counted.</summary>
    private static int Tokens(ChatRequest request) =>
        request.Messages.Sum(m => O200k.CountTokens(m.Content) + m.ToolCalls.Sum(c => O200k.CountTokens(c.Arguments)));

    [Fact]
    public async Task Should_report_the_shell_call_the_model_made()
    {
        var turn = await StoreAndAskAsync("[timeout_ms=250] echo hi");

        Assert.Null(turn.Error);
        var shell = Assert.Single(turn.ShellCalls);
        Assert.Equal(["echo hi"], shell.Commands);
        Assert.Equal(250, shell.TimeoutMs);
        Assert.StartsWith("call_", shell.CallId, StringComparison.Ordinal);
        Assert.True(turn.Usage.InputTokens > 0);
        Assert.Equal("shell", Assert.Single(Assert.Single(_model.Requests, r => r.LastUserText.Contains("echo hi", StringComparison.Ordinal)).ToolNames));
    }

    [Fact]
    public async Task Should_relay_the_text_as_it_streams_and_count_its_usage_when_the_response_is_streamed()
    {
        var responseId = $"resp_{Guid.NewGuid():N}";

        var turn = await StoreAndAskAsync(responseId, "[stream_ms=60] one two three four", withShell: false, stream: true);

        Assert.Null(turn.Error);
        Assert.True(turn.TextStreamed);
        Assert.EndsWith("You said: one two three four", turn.Text, StringComparison.Ordinal);
        Assert.True(turn.Usage.InputTokens > 0 && turn.Usage.OutputTokens > 0, $"usage {turn.Usage}");
        var request = Assert.Single(_model.Requests).Raw;
        Assert.True(request.GetProperty("stream").GetBoolean());
        Assert.True(request.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());

        // The words came 60 ms apart, so each went out on its own: more than one delta, which together are the text.
        var events = await _store.ReadEventsAsync(responseId, -1, 100, CancellationToken.None);
        Assert.Equal([StreamEventTypes.ItemAdded, StreamEventTypes.PartAdded], events!.Take(2).Select(e => e.Type));
        var deltas = events!.Where(e => e.Type == StreamEventTypes.TextDelta).ToList();
        Assert.True(deltas.Count >= 4, $"{deltas.Count} deltas");
        Assert.Equal(turn.Text, string.Concat(deltas.Select(d => d.Text)));
        Assert.All(events!, e => Assert.Equal(0, e.OutputIndex));
        Assert.True(await Harness.Published.Any<ResponseEventsAppended>(m => m.Context.Message.ResponseId == responseId));
    }

    [Fact]
    public async Task Should_put_a_streamed_shell_call_together_from_its_pieces_when_the_response_is_streamed()
    {
        var turn = await StoreAndAskAsync("[timeout_ms=250] echo streamed", stream: true);

        Assert.Null(turn.Error);
        var shell = Assert.Single(turn.ShellCalls);
        Assert.Equal(["echo streamed"], shell.Commands);
        Assert.Equal(250, shell.TimeoutMs);
        Assert.False(turn.TextStreamed);
        Assert.True(turn.Usage.InputTokens > 0);
    }

    [Fact]
    public async Task Should_ask_for_the_whole_answer_and_store_no_events_when_the_response_is_neither_streamed_nor_background()
    {
        var responseId = $"resp_{Guid.NewGuid():N}";

        var turn = await StoreAndAskAsync(responseId, "[stream_ms=10] one two", withShell: false, stream: false);

        Assert.False(turn.TextStreamed);
        Assert.EndsWith("You said: one two", turn.Text, StringComparison.Ordinal);
        Assert.False(Assert.Single(_model.Requests).Raw.TryGetProperty("stream", out var stream) && stream.GetBoolean());
        Assert.Empty((await _store.ReadEventsAsync(responseId, -1, 100, CancellationToken.None))!);
    }

    [Fact]
    public async Task Should_offer_no_tool_when_the_request_had_no_shell()
    {
        var turn = await StoreAndAskAsync("hello", withShell: false);

        Assert.Null(turn.Error);
        Assert.Empty(turn.ShellCalls);
        Assert.Contains("No shell tool was offered", turn.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500, "model_unavailable")]
    [InlineData(429, "model_rate_limited")]
    [InlineData(400, "model_request_rejected")]
    [InlineData(401, "model_authentication_failed")]
    public async Task Should_fail_the_step_with_a_clear_code_when_the_model_endpoint_errors(int status, string code)
    {
        _model.UseScript(_ => ScriptedReply.Error(status));

        var turn = await StoreAndAskAsync("echo hi");

        Assert.Equal(code, turn.Error?.Code);
        Assert.Contains($"HTTP {status}", turn.Error?.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Scripted failure", turn.Error?.Message, StringComparison.Ordinal);

        // The SDK retries 429 and 5xx (MaxRetries = 1 here) and nothing else.
        var expectedAttempts = status is 429 or 500 ? 2 : 1;
        Assert.Equal(expectedAttempts, _model.Requests.Count);
    }

    [Fact]
    public async Task Should_fail_the_step_when_the_model_endpoint_is_unreachable()
    {
        await _model.DisposeAsync();

        var turn = await StoreAndAskAsync("echo hi");

        Assert.Equal("model_unavailable", turn.Error?.Code);
    }

    [Fact]
    public async Task Should_fail_the_step_when_the_response_is_not_in_the_store()
    {
        var turn = await _caller.AskAsync(Guid.NewGuid(), "resp_missing", 1, TestContext.Current.CancellationToken);

        Assert.Equal("response_not_found", turn.Error?.Code);
        Assert.Empty(_model.Requests);
    }
}
