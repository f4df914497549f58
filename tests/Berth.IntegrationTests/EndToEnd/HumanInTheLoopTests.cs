using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;
using OpenAI.Responses;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// A person in the loop, end to end with the scripted model, the real broker and Docker: calls
/// that wait for approval (<c>require_approval</c>, <c>shell_approval_request</c>,
/// <c>shell_approval_response</c>) and a running response interrupted and redirected
/// (<c>interrupt</c>). All Berth extensions; the standard shapes around them are OpenAI's.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class HumanInTheLoopTests
{
    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;
    private readonly ITestOutputHelper _output;

    public HumanInTheLoopTests(BerthStack stack, ITestOutputHelper output)
    {
        _stack = stack;
        _output = output;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_pause_before_the_call_and_run_it_once_approved_when_require_approval_is_always_through_the_OpenAI_SDK()
    {
        var marker = Marker();
        var sdk = ResponsesApi.Sdk(_stack);
        var options = new CreateResponseOptions(BerthStack.ScriptedModelName, [ResponseItem.CreateUserMessageItem($"echo {marker} | tee /mnt/data/approved.txt")]);
        options.Patch.Append("$.tools"u8, BinaryData.FromString("""{"type":"shell","environment":{"type":"container_auto"},"require_approval":"always"}"""));

        ResponseResult paused = await sdk.CreateResponseAsync(options);

        Assert.Equal(ResponseStatus.Completed, paused.Status);
        var (_, raw) = await _api.GetAsync(paused.Id);
        Assert.Equal(["shell_approval_request"], raw.GetProperty("output").EnumerateArray().Select(i => i.GetProperty("type").GetString()));
        var request = raw.GetProperty("output")[0];
        Assert.StartsWith("sar_", request.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal($"echo {marker} | tee /mnt/data/approved.txt", request.GetProperty("action").GetProperty("commands")[0].GetString());
        Assert.Equal("always", raw.GetProperty("tools")[0].GetProperty("require_approval").GetString());

        // The SDK has no type for Berth's approval item; its patch is how a client sends one.
        var next = new CreateResponseOptions(BerthStack.ScriptedModelName, []) { PreviousResponseId = paused.Id };
        next.Patch.Append("$.input"u8, BinaryData.FromString(JsonSerializer.Serialize(new
        {
            type = "shell_approval_response",
            approval_request_id = request.GetProperty("id").GetString(),
            approve = true,
            reason = "looks safe",
        })));
        next.Patch.Append("$.tools"u8, BinaryData.FromString("""{"type":"shell","environment":{"type":"container_auto"},"require_approval":"always"}"""));
        ResponseResult approved = await sdk.CreateResponseAsync(next);

        Assert.Equal(ResponseStatus.Completed, approved.Status);
        Assert.Contains($"$ echo {marker} | tee /mnt/data/approved.txt\n{marker}\n(exit 0)", approved.GetOutputText(), StringComparison.Ordinal);
        var (_, ran) = await _api.GetAsync(approved.Id);
        var call = Assert.Single(ran.Items("shell_call"));
        Assert.Equal(request.GetProperty("call_id").GetString(), call.GetProperty("call_id").GetString());

        // The decision is kept with the response that gave it: who, when, what and why.
        var answer = (await InputItemsAsync(approved.Id)).Single();
        Assert.Equal(("shell_approval_response", true, "looks safe", "local"),
            (answer.GetProperty("type").GetString(), answer.GetProperty("approve").GetBoolean(), answer.GetProperty("reason").GetString(), answer.GetProperty("decided_by").GetString()));
        Assert.True(answer.GetProperty("decided_at").GetInt64() >= raw.GetProperty("created_at").GetInt64());

        // And in the trace, on the span of the call it let run.
        var span = await ToolSpanAsync(call.GetProperty("call_id").GetString()!, "Berth.Executor");
        var decision = Assert.Single(span.Events, e => e.Name == "berth.approval");
        Assert.Equal(("approved", "local", "looks safe"),
            (decision.Attributes["berth.approval.decision"], decision.Attributes["berth.approval.decided_by"], decision.Attributes["berth.approval.reason"]));
    }

    [Fact]
    public async Task Should_never_run_a_declined_call_and_tell_the_model_why_when_the_next_response_declines()
    {
        var marker = Marker();
        var paused = await _api.CreateAsync(Request($"touch /mnt/data/{marker}", "always"));
        var request = LastItem(paused, "shell_approval_request");

        var declined = await _api.CreateAsync(Request(Answer(request, approve: false, $"no files today {marker}"), "always", paused.Id()));

        Assert.Equal("completed", declined.Status());
        Assert.Empty(declined.Items("shell_call"));
        Assert.Contains($"The user declined this shell call, so its commands were not run. The user's reason: no files today {marker}", declined.Text(), StringComparison.Ordinal);

        var check = await _api.CreateAsync(Request($"test -e /mnt/data/{marker} && echo present || echo absent", "never", declined.Id()));
        Assert.Equal("absent\n", check.CommandOutputs().Single().GetProperty("stdout").GetString());

        var span = await ToolSpanAsync(request.GetProperty("call_id").GetString()!, "Berth.Planner");
        Assert.Equal("declined", Assert.Single(span.Events, e => e.Name == "berth.approval").Attributes["berth.approval.decision"]);
    }

    [Fact]
    public async Task Should_pause_at_the_call_a_pattern_matches_and_run_the_one_before_it_in_the_same_response_when_patterns_are_given()
    {
        var marker = Marker();
        var body = Request($"echo fine-{marker}\nrm -f /mnt/data/nothing-{marker}", new { patterns = new[] { @"^rm\b", @"\bgit\s+push\b" } });
        body["stream"] = true;
        using var post = new HttpRequestMessage(HttpMethod.Post, "responses") { Content = JsonContent.Create(body) };
        using var response = await _stack.Http.SendAsync(post, HttpCompletionOption.ResponseHeadersRead);

        var events = await StreamedEvent.ReadAsync(await response.Content.ReadAsStreamAsync());

        Assert.Equal("response.completed", events[^1].Type);
        Assert.Equal(
        [
            "response.output_item.added shell_call", "response.output_item.added shell_call_output",
            "response.output_item.done shell_call", "response.output_item.done shell_call_output",
            "response.output_item.added shell_approval_request", "response.output_item.done shell_approval_request",
        ], events.Where(e => e.ItemType is not null).Select(e => $"{e.Type} {e.ItemType}"));
        var finished = events[^1].Data.GetProperty("response");
        Assert.Equal($"fine-{marker}\n", finished.CommandOutputs().Single().GetProperty("stdout").GetString());
        Assert.Equal($"rm -f /mnt/data/nothing-{marker}", LastItem(finished, "shell_approval_request").GetProperty("action").GetProperty("commands")[0].GetString());
        Assert.Equal([@"^rm\b", @"\bgit\s+push\b"], finished.GetProperty("tools")[0].GetProperty("require_approval").GetProperty("patterns").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task Should_pause_at_the_operators_pattern_when_the_request_says_never()
    {
        var paused = await _api.CreateAsync(Request($"echo berth-operator-guarded {Marker()}", "never"));

        Assert.Equal("completed", paused.Status());
        Assert.Empty(paused.Items("shell_call"));
        LastItem(paused, "shell_approval_request");
    }

    [Fact]
    public async Task Should_answer_400_when_a_continuation_leaves_the_request_unanswered_or_answers_one_that_does_not_wait_there()
    {
        var paused = await _api.CreateAsync(Request($"echo one {Marker()}", "always"));
        var other = await _api.CreateAsync(Request($"echo two {Marker()}", "always"));
        var plain = await _api.CreateAsync(Request($"echo three {Marker()}", "never"));
        var request = LastItem(paused, "shell_approval_request");

        var unanswered = await _api.PostRawAsync(JsonSerializer.Serialize(Request("carry on", "always", paused.Id())));
        var forged = await _api.PostRawAsync(JsonSerializer.Serialize(Request(Answer("sar_00000000000000000000000000000000", approve: true), "always", paused.Id())));
        var elsewhere = await _api.PostRawAsync(JsonSerializer.Serialize(Request(Answer(LastItem(other, "shell_approval_request"), approve: true), "always", paused.Id())));
        var nothingWaits = await _api.PostRawAsync(JsonSerializer.Serialize(Request(Answer(request, approve: true), "always", plain.Id())));

        foreach (var (status, body) in new[] { unanswered, forged, elsewhere, nothingWaits })
        {
            Assert.Equal(HttpStatusCode.BadRequest, status);
            var error = body.GetProperty("error");
            Assert.Equal(("invalid_request_error", "input", "invalid_value"),
                (error.GetProperty("type").GetString(), error.GetProperty("param").GetString(), error.GetProperty("code").GetString()));
        }

        Assert.Contains(request.GetProperty("id").GetString()!, unanswered.Body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

        // Nothing was lost: the paused response still takes its answer.
        var approved = await _api.CreateAsync(Request(Answer(request, approve: true), "never", paused.Id()));
        Assert.Equal("completed", approved.Status());
        Assert.Single(approved.Items("shell_call"));
    }

    [Fact]
    public async Task Should_end_a_running_sleep_within_two_seconds_and_start_the_new_response_in_the_same_container_when_it_interrupts()
    {
        var marker = Marker();
        var body = Request($"echo {marker} > /mnt/data/before.txt\nsleep 60", "never");
        body["stream"] = true;
        using var post = new HttpRequestMessage(HttpMethod.Post, "responses") { Content = JsonContent.Create(body) };
        using var streamed = await _stack.Http.SendAsync(post, HttpCompletionOption.ResponseHeadersRead);
        var sleeping = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        string? runningId = null;
        var reading = StreamedEvent.ReadAsync(await streamed.Content.ReadAsStreamAsync(), e =>
        {
            runningId ??= e.Data.TryGetProperty("response", out var created) ? created.GetProperty("id").GetString() : null;
            if (e.Type == "response.output_item.added" && e.ItemType == "shell_call" && e.Data.GetProperty("item").GetProperty("action").GetProperty("commands")[0].GetString() == "sleep 60")
            {
                sleeping.TrySetResult(runningId!);
            }

            return true;
        });
        await sleeping.Task.WaitAsync(TimeSpan.FromSeconds(60));

        // A response queued behind the running one has nothing running to interrupt.
        var queued = await _api.CreateAsync(Background(Request("echo queued", "never", runningId!)));
        var refused = await _api.PostRawAsync(JsonSerializer.Serialize(Interrupting(Request("echo x", "never", queued.Id()))));
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("interrupt", refused.Body.GetProperty("error").GetProperty("param").GetString());

        var clock = Stopwatch.StartNew();
        var redirect = await _api.CreateAsync(Background(Interrupting(Request("cat /mnt/data/before.txt", "never", runningId))));
        await Eventually.TrueAsync(async () => (await _api.GetAsync(runningId!)).Body.Status() == "cancelled", TimeSpan.FromSeconds(2), "the interrupted response to end cancelled");
        var ended = clock.Elapsed;
        _output.WriteLine($"interrupt: the running response ended cancelled {ended.TotalMilliseconds:F0} ms after the interrupting POST was sent");

        var events = await reading.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("response.cancelled", events[^1].Type);
        var redirected = await _api.WaitUntilFinishedAsync(redirect.Id());
        Assert.Equal("completed", redirected.Status());
        Assert.Equal($"{marker}\n", redirected.CommandOutputs().Single().GetProperty("stdout").GetString());
        Assert.Equal("completed", (await _api.WaitUntilFinishedAsync(queued.Id())).Status());
        Assert.True(ended < TimeSpan.FromSeconds(2), $"the interrupted response ended after {ended.TotalMilliseconds:F0} ms");
    }

    private static string Marker() => Guid.NewGuid().ToString("N")[..12];

    private static Dictionary<string, object?> Request(object input, object requireApproval, string? previous = null) => new Dictionary<string, object?>
    {
        ["model"] = BerthStack.ScriptedModelName,
        ["input"] = input,
        ["tools"] = new[] { new Dictionary<string, object> { ["type"] = "shell", ["environment"] = new { type = "container_auto" }, ["require_approval"] = requireApproval } },
        ["previous_response_id"] = previous,
    }.Where(p => p.Value is not null).ToDictionary();

    private static Dictionary<string, object?> Background(Dictionary<string, object?> request)
    {
        request["background"] = true;
        return request;
    }

    private static Dictionary<string, object?> Interrupting(Dictionary<string, object?> request)
    {
        request["interrupt"] = true;
        return request;
    }

    private static object[] Answer(JsonElement request, bool approve, string? reason = null) => Answer(request.GetProperty("id").GetString()!, approve, reason);

    private static object[] Answer(string requestId, bool approve, string? reason = null) =>
        [new { type = "shell_approval_response", approval_request_id = requestId, approve, reason }];

    private static JsonElement LastItem(JsonElement response, string type)
    {
        var last = response.GetProperty("output").EnumerateArray().Last();
        Assert.Equal(type, last.GetProperty("type").GetString());
        return last;
    }

    private async Task<List<JsonElement>> InputItemsAsync(string responseId)
    {
        var list = await _stack.Http.GetFromJsonAsync<JsonElement>($"responses/{responseId}/input_items");
        return [.. list.GetProperty("data").EnumerateArray()];
    }

    /// <summary>The <c>execute_tool shell</c> span of a call, from the service that wrote it, once it has been exported.</summary>
    private async Task<OtlpReceiver.ReceivedSpan> ToolSpanAsync(string callId, string service)
    {
        OtlpReceiver.ReceivedSpan? span = null;
        await Eventually.TrueAsync(() =>
        {
            span = _stack.Telemetry.Spans.FirstOrDefault(s => s.Name == "execute_tool shell" && s.Service == service
                && s.Attributes.GetValueOrDefault("gen_ai.tool.call.id") == callId);
            return Task.FromResult(span is not null);
        }, TimeSpan.FromSeconds(30), $"the span of call {callId}");
        return span!;
    }
}
