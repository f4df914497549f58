using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using Berth.IntegrationTests.Fixtures;
using OpenAI.Responses;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// <c>stream: true</c> and <c>GET ?stream=true&amp;starting_after=N</c> on the whole pipeline:
/// events in OpenAI's format, numbered without gaps, served by any api instance.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class StreamingTests
{
    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public StreamingTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_stream_every_event_in_order_with_output_as_it_arrives_when_stream_is_true()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "responses")
        {
            Content = JsonContent.Create(ResponsesApi.ShellRequest("echo first; sleep 1; echo second >&2; sleep 1; echo third", stream: true)),
        };
        using var response = await _stack.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);

        var events = await StreamedEvent.ReadAsync(await response.Content.ReadAsStreamAsync());

        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Sequence));
        Assert.All(events, e => Assert.Equal(e.EventType, e.Type));
        Assert.Equal(["response.created", "response.in_progress"], events.Take(2).Select(e => e.Type));
        Assert.Equal("response.completed", events[^1].Type);
        Assert.Equal("completed", events[^1].Data.GetProperty("response").GetProperty("status").GetString());
        Assert.Equal(
        [
            "response.output_item.added shell_call", "response.output_item.added shell_call_output",
            "response.output_item.done shell_call", "response.output_item.done shell_call_output",
            "response.output_item.added message", "response.output_item.done message",
        ], events.Where(e => e.ItemType is not null).Select(e => $"{e.Type} {e.ItemType}"));

        // The command's output came in pieces while it ran, before its item was done, and adds up to what was kept.
        var deltas = events.Where(e => e.Type == "response.shell_call_output_content.delta").ToList();
        Assert.True(deltas.Count >= 2, $"expected the output in at least two pieces, got {deltas.Count}");
        var outputDone = events.Single(e => e.Type == "response.output_item.done" && e.ItemType == "shell_call_output");
        Assert.All(deltas, d => Assert.True(d.Sequence < outputDone.Sequence));
        var kept = outputDone.Data.GetProperty("item").GetProperty("output")[0];
        Assert.Equal(kept.GetProperty("stdout").GetString(), string.Concat(deltas.Select(d => d.Data.GetProperty("delta").GetProperty("stdout").GetString())));
        Assert.Equal(kept.GetProperty("stderr").GetString(), string.Concat(deltas.Select(d => d.Data.GetProperty("delta").GetProperty("stderr").GetString())));
        Assert.Equal("first\nthird\n", kept.GetProperty("stdout").GetString());

        // The command itself went out as the SDK types have it, between the call's added and its output's added.
        var command = events.Where(e => e.Type.StartsWith("response.shell_call_command.", StringComparison.Ordinal)).ToList();
        Assert.Equal(["response.shell_call_command.added", "response.shell_call_command.delta", "response.shell_call_command.done"], command.Select(e => e.Type));
        Assert.All(command, e => Assert.Equal((0, 0), (e.Data.GetProperty("output_index").GetInt32(), e.Data.GetProperty("command_index").GetInt32())));
        const string Script = "echo first; sleep 1; echo second >&2; sleep 1; echo third";
        Assert.Equal((Script, Script), (command[1].Data.GetProperty("delta").GetString(), command[2].Data.GetProperty("command").GetString()));
        var callAdded = events.Single(e => e.Type == "response.output_item.added" && e.ItemType == "shell_call");
        var outputAdded = events.Single(e => e.Type == "response.output_item.added" && e.ItemType == "shell_call_output");
        Assert.All(command, e => Assert.InRange(e.Sequence, callAdded.Sequence + 1, outputAdded.Sequence - 1));

        // And its whole output once more, just before the output item is done.
        var contentDone = events.Single(e => e.Type == "response.shell_call_output_content.done");
        Assert.Equal(outputDone.Sequence - 1, contentDone.Sequence);
        Assert.Equal(outputDone.Data.GetProperty("item").GetProperty("id").GetString(), contentDone.Data.GetProperty("item_id").GetString());
        var whole = Assert.Single(contentDone.Data.GetProperty("output").EnumerateArray());
        Assert.Equal(("first\nthird\n", "second\n", "exit", 0),
            (whole.GetProperty("stdout").GetString(), whole.GetProperty("stderr").GetString(), whole.GetProperty("outcome").GetProperty("type").GetString(), whole.GetProperty("outcome").GetProperty("exit_code").GetInt32()));

        var text = events.Single(e => e.Type == "response.output_text.done").Data.GetProperty("text").GetString();
        Assert.Equal(text, string.Concat(events.Where(e => e.Type == "response.output_text.delta").Select(e => e.Data.GetProperty("delta").GetString())));
        Assert.Contains("second", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_stream_to_the_official_SDK_from_created_to_completed()
    {
        var sdk = new ResponsesClient(new ApiKeyCredential("not-checked-yet"), new ResponsesClientOptions { Endpoint = new Uri(_stack.ApiBaseUrl.ToString().TrimEnd('/')) });
        var options = new CreateResponseOptions("berth-scripted", [ResponseItem.CreateUserMessageItem("echo streamed")]) { StreamingEnabled = true };
        options.Patch.Set("$.tools"u8, BinaryData.FromString("""[{"type":"shell","environment":{"type":"container_auto"}}]"""));

        var updates = new List<StreamingResponseUpdate>();
        await foreach (var update in await sdk.CreateResponseStreamingAsync(options))
        {
            updates.Add(update);
        }

        Assert.IsType<StreamingResponseCreatedUpdate>(updates[0]);
        Assert.Equal(Enumerable.Range(0, updates.Count), updates.Select(u => u.SequenceNumber));
        var completed = Assert.IsType<StreamingResponseCompletedUpdate>(updates[^1]);
        Assert.Equal(ResponseStatus.Completed, completed.Response.Status);
        var deltas = string.Concat(updates.OfType<StreamingResponseOutputTextDeltaUpdate>().Select(u => u.Delta));
        Assert.Contains("streamed", deltas, StringComparison.Ordinal);
        Assert.Equal(completed.Response.GetOutputText(), deltas);
    }

    [Fact]
    public async Task Should_relay_the_models_words_to_the_official_SDK_as_the_model_writes_them_when_stream_is_true()
    {
        var sdk = new ResponsesClient(new ApiKeyCredential("not-checked-yet"), new ResponsesClientOptions { Endpoint = new Uri(_stack.ApiBaseUrl.ToString().TrimEnd('/')) });
        var options = new CreateResponseOptions("berth-scripted", [ResponseItem.CreateUserMessageItem("[stream_ms=150] one two three four five six")]) { StreamingEnabled = true };

        // The scripted model writes a word every 150 ms: about fifteen words, over two seconds.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var deltas = new List<(TimeSpan At, string Text)>();
        StreamingResponseCompletedUpdate? completed = null;
        await foreach (var update in await sdk.CreateResponseStreamingAsync(options))
        {
            if (update is StreamingResponseOutputTextDeltaUpdate delta)
            {
                deltas.Add((clock.Elapsed, delta.Delta));
            }

            completed = update as StreamingResponseCompletedUpdate ?? completed;
        }

        var done = clock.Elapsed;
        Assert.NotNull(completed);
        Assert.Equal(completed.Response.GetOutputText(), string.Concat(deltas.Select(d => d.Text)));
        Assert.EndsWith("one two three four five six", completed.Response.GetOutputText(), StringComparison.Ordinal);
        Assert.True(deltas.Count >= 5, $"expected the words in many pieces, got {deltas.Count}");
        Assert.True(done - deltas[0].At > TimeSpan.FromSeconds(1), $"the first words came {deltas[0].At.TotalMilliseconds:0} ms in, the end {done.TotalMilliseconds:0} ms in");
        Assert.True(completed.Response.Usage.OutputTokenCount > 0);
    }

    [Fact]
    public async Task Should_keep_a_background_responses_words_in_its_stream_when_it_is_read_later()
    {
        var created = await _api.CreateAsync(new Dictionary<string, object?> { ["model"] = "berth-scripted", ["input"] = "[stream_ms=100] seven eight nine", ["background"] = true });
        var finished = await _api.WaitUntilFinishedAsync(created.Id());

        using var stream = await _stack.Http.GetAsync($"responses/{created.Id()}?stream=true", TestContext.Current.CancellationToken);
        var events = await StreamedEvent.ReadAsync(await stream.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));

        var deltas = events.Where(e => e.Type == "response.output_text.delta").Select(e => e.Data.GetProperty("delta").GetString()).ToList();
        var text = finished.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString();
        Assert.True(deltas.Count >= 3, $"expected the words in several pieces, got {deltas.Count}");
        Assert.Equal(text, string.Concat(deltas));
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Sequence));
        Assert.Equal(
            ["response.output_item.added", "response.content_part.added", .. deltas.Select(_ => "response.output_text.delta"),
                "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"],
            events.Skip(2).Select(e => e.Type));
    }

    [Fact]
    public async Task Should_resume_on_another_api_instance_without_gaps_or_repeats_when_a_stream_is_cut()
    {
        var (other, otherHttp) = await _stack.StartApiAsync("api-resume");
        using (otherHttp)
        {
            var created = await _api.CreateAsync(ResponsesApi.ShellRequest("for i in 1 2 3 4 5 6; do echo $i; sleep 0.4; done", background: true));
            var id = created.GetProperty("id").GetString()!;

            // Read from the second instance until the command has printed something, then hang up.
            List<StreamedEvent> before;
            using (var response = await otherHttp.GetAsync($"responses/{id}?stream=true", HttpCompletionOption.ResponseHeadersRead))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                before = await StreamedEvent.ReadAsync(await response.Content.ReadAsStreamAsync(),
                    e => e.Type != "response.shell_call_output_content.delta");
            }

            Assert.Equal("response.shell_call_output_content.delta", before[^1].Type);

            // Pick it up on the first instance after the last event seen.
            using var resumed = await _stack.Http.GetAsync($"responses/{id}?stream=true&starting_after={before[^1].Sequence}", HttpCompletionOption.ResponseHeadersRead);
            var after = await StreamedEvent.ReadAsync(await resumed.Content.ReadAsStreamAsync());

            var joined = before.Concat(after).ToList();
            Assert.Equal(Enumerable.Range(0, joined.Count), joined.Select(e => e.Sequence));
            Assert.Equal("response.completed", joined[^1].Type);

            // The whole stream, replayed from the start once finished, is the same stream.
            using var replay = await otherHttp.GetAsync($"responses/{id}?stream=true", HttpCompletionOption.ResponseHeadersRead);
            var full = await StreamedEvent.ReadAsync(await replay.Content.ReadAsStreamAsync());
            Assert.Equal(joined.Select(e => (e.Sequence, e.Type)), full.Select(e => (e.Sequence, e.Type)));
            var stdout = string.Concat(full.Where(e => e.Type == "response.shell_call_output_content.delta")
                .Select(e => e.Data.GetProperty("delta").GetProperty("stdout").GetString()));
            Assert.Equal("1\n2\n3\n4\n5\n6\n", stdout);
        }

        await other.DisposeAsync();
    }

    [Fact]
    public async Task Should_answer_404_and_400_in_OpenAI_shape_when_a_stream_cannot_be_served()
    {
        using var unknown = await _stack.Http.GetAsync("responses/resp_0123456789abcdef?stream=true");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("invalid_request_error", (await unknown.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("error").GetProperty("type").GetString());

        var done = await _api.CreateAsync(ResponsesApi.ShellRequest("true"));
        using var bad = await _stack.Http.GetAsync($"responses/{done.GetProperty("id").GetString()}?stream=true&starting_after=abc");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("starting_after", (await bad.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("error").GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("last")]
    [InlineData("2147483647")]
    public async Task Should_end_the_stream_at_once_when_a_finished_response_has_no_events_after_the_cursor(string cursor)
    {
        var done = await _api.CreateAsync(ResponsesApi.ShellRequest("true"));
        var id = done.GetProperty("id").GetString();
        string? last = null;
        if (cursor == "last")
        {
            using var all = await _stack.Http.GetAsync($"responses/{id}?stream=true");
            last = System.Text.RegularExpressions.Regex.Matches(await all.Content.ReadAsStringAsync(), "\"sequence_number\":([0-9]+)")[^1].Groups[1].Value;
        }

        // Without an end, the stream would wait for events that never come, until the client gave up.
        using var give = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        give.CancelAfter(TimeSpan.FromSeconds(20));
        using var stream = await _stack.Http.GetAsync($"responses/{id}?stream=true&starting_after={last ?? cursor}", give.Token);
        var body = await stream.Content.ReadAsStringAsync(give.Token);

        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        Assert.DoesNotContain("data:", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_a_stream_past_the_tenants_limit_with_429_and_start_no_response()
    {
        var (limited, http) = await _stack.StartApiAsync("api-streams", ("Api__MaxStreamsPerTenant", "1"));
        await using var _ = limited;
        using (http)
        {
            var running = (await _api.CreateAsync(ResponsesApi.ShellRequest("sleep 30", background: true))).GetProperty("id").GetString();
            using var open = await http.GetAsync($"responses/{running}?stream=true", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);

            using var second = await http.GetAsync($"responses/{running}?stream=true", TestContext.Current.CancellationToken);
            using var created = await http.PostAsJsonAsync("responses", ResponsesApi.ShellRequest("echo never", stream: true), TestContext.Current.CancellationToken);

            foreach (var refused in new[] { second, created })
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
                var error = (await refused.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error");
                Assert.Equal(Berth.Contracts.ErrorCodes.StreamLimitExceeded, error.GetProperty("code").GetString());
                Assert.Equal("requests", error.GetProperty("type").GetString());
            }

            // The first stream's slot comes back when it closes.
            open.Dispose();
            await Eventually.TrueAsync(async () =>
            {
                using var again = await http.GetAsync($"responses/{running}?stream=true", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
                return again.StatusCode == HttpStatusCode.OK;
            }, TimeSpan.FromSeconds(20), "a stream to be let in once the first has closed");
            await _stack.Http.PostAsync($"responses/{running}/cancel", null, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Should_finish_a_background_response_when_the_api_instance_that_took_it_is_killed()
    {
        var (other, otherHttp) = await _stack.StartApiAsync("api-killed");
        string id;
        using (otherHttp)
        {
            using var response = await otherHttp.PostAsJsonAsync("responses", ResponsesApi.ShellRequest("sleep 2; echo survived", background: true));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            id = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString()!;
        }

        await other.KillAsync();

        var finished = await _api.WaitUntilFinishedAsync(id);
        Assert.Equal("completed", finished.Status());
        Assert.Equal("survived\n", finished.CommandOutputs()[0].GetProperty("stdout").GetString());
    }
}
