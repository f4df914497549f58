using System.Net;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;
using Berth.Planner.Model;
using Berth.ScriptedModel;
using Microsoft.ML.Tokenizers;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// <c>context_management</c>'s compaction through the real stack: a long run of calls with
/// large outputs stays under its threshold in every model request, the same run without it
/// fails against a window it outgrows before sending anything too large, and a compaction item
/// carries a new conversation on.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class CompactionTests(BerthStack stack, ITestOutputHelper output)
{
    private static readonly Tokenizer O200k = TiktokenTokenizer.CreateForEncoding("o200k_base");

    private readonly ResponsesApi _api = new(stack);

    /// <summary>A script of calls whose outputs are about 4 KB each, every line marked so this test finds its model requests.</summary>
    private static string Script(string marker, int calls) =>
        string.Join("\n", Enumerable.Range(0, calls).Select(i => $"seq 1000 1819 # {marker} {i}"));

    private static Dictionary<string, object?> Request(string model, string input, int? threshold) => new()
    {
        ["model"] = model,
        ["input"] = input,
        ["tools"] = new[] { new { type = "shell", environment = new { type = "container_auto" } } },
        ["background"] = true,
        ["context_management"] = threshold is { } tokens ? new[] { new { type = "compaction", compact_threshold = tokens } } : null,
    };

    /// <summary>The tokens of what a request says (its messages' text, its calls' arguments), without the chat format's framing: no more than the planner counted.</summary>
    private static int Tokens(ChatRequest request) =>
        request.Messages.Sum(m => O200k.CountTokens(m.Content) + m.ToolCalls.Sum(c => O200k.CountTokens(c.Arguments)));

    [Fact]
    public async Task Should_finish_two_hundred_calls_of_4_KB_with_every_model_request_under_the_compaction_threshold()
    {
        stack.BeginTest();
        const int threshold = 8000;
        var marker = Guid.NewGuid().ToString("N")[..12];
        var started = await _api.CreateAsync(Request(BerthStack.ScriptedModelName, Script(marker, 200), threshold));

        var finished = (await _api.WaitUntilAllFinishedAsync([started.Id()], TimeSpan.FromMinutes(4)))[started.Id()];

        Assert.Equal("completed", finished.Status());
        Assert.Equal(200, finished.Items("shell_call").Count());
        Assert.Equal(4100, finished.CommandOutputs()[^1].GetProperty("stdout").GetString()!.Length);
        var requests = stack.Model.Requests.Where(r => r.Raw.GetRawText().Contains(marker, StringComparison.Ordinal)).ToList();
        var compactions = finished.Items("compaction").ToList();
        var largest = requests.Max(Tokens);
        output.WriteLine($"{requests.Count} model requests, {compactions.Count} of them compactions; the largest said {largest} tokens (threshold {threshold})");
        Assert.True(largest <= threshold, $"a request of {largest} tokens");
        Assert.NotEmpty(compactions);
        Assert.All(compactions, c => Assert.StartsWith("berth-compaction-1.", c.GetProperty("encrypted_content").GetString(), StringComparison.Ordinal));
        Assert.True(finished.GetProperty("usage").GetProperty("input_tokens").GetInt32() > 0);
        Assert.Contains("Ran 200 command(s).", finished.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_fail_with_context_length_exceeded_before_sending_too_much_when_the_same_run_has_no_compaction()
    {
        stack.BeginTest();
        var marker = Guid.NewGuid().ToString("N")[..12];
        var started = await _api.CreateAsync(Request(BerthStack.EightKModelName, Script(marker, 200), threshold: null));

        var finished = (await _api.WaitUntilAllFinishedAsync([started.Id()], TimeSpan.FromMinutes(2)))[started.Id()];

        Assert.Equal(("failed", "context_length_exceeded"), (finished.Status(), finished.GetProperty("error").GetProperty("code").GetString()));
        var requests = stack.Model.Requests.Where(r => r.Raw.GetRawText().Contains(marker, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.True(Tokens(r) <= BerthStack.EightKContextTokens, $"a request of {Tokens(r)} tokens"));
    }

    [Fact]
    public async Task Should_carry_a_new_conversation_on_from_a_compaction_item_a_client_passes_back_and_refuse_one_altered()
    {
        stack.BeginTest();
        var marker = Guid.NewGuid().ToString("N")[..12];
        var started = await _api.CreateAsync(Request(BerthStack.ScriptedModelName, Script(marker, 6), 1500));
        var finished = (await _api.WaitUntilAllFinishedAsync([started.Id()], TimeSpan.FromMinutes(1)))[started.Id()];
        var compaction = finished.Items("compaction").Last();
        var sealedText = compaction.GetProperty("encrypted_content").GetString()!;
        string Body(string content) => JsonSerializer.Serialize(new
        {
            model = BerthStack.ScriptedModelName,
            input = new object[] { new { type = "compaction", encrypted_content = content }, new { role = "user", content = $"what happened {marker}" } },
        });

        var (status, carried) = await _api.PostRawAsync(Body(sealedText));
        var (altered, refusal) = await _api.PostRawAsync(Body(sealedText[..^4] + (sealedText[^4] == 'A' ? "B" : "A") + sealedText[^3..]));

        Assert.Equal((HttpStatusCode.OK, "completed"), (status, carried.Status()));
        var asked = stack.Model.Requests.Last(r => r.LastUserText == $"what happened {marker}");
        Assert.Equal(["system", "user"], asked.Messages.Select(m => m.Role));
        Assert.Contains("ran", asked.Messages[0].Content, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_encrypted_content"), (altered, refusal.GetProperty("error").GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Should_compact_a_finished_chain_on_demand_through_the_OpenAI_SDK_into_its_user_messages_and_one_item_that_carries_on()
    {
        stack.BeginTest();
        var marker = Guid.NewGuid().ToString("N")[..12];
        var started = await _api.CreateAsync(Request(BerthStack.ScriptedModelName, Script(marker, 3), threshold: null));
        var finished = (await _api.WaitUntilAllFinishedAsync([started.Id()], TimeSpan.FromMinutes(1)))[started.Id()];

        var result = await ResponsesApi.Sdk(stack).CompactResponseAsync(System.ClientModel.BinaryContent.Create(BinaryData.FromString(JsonSerializer.Serialize(new
        {
            model = BerthStack.ScriptedModelName,
            previous_response_id = finished.Id(),
            input = $"and then {marker}",
        }))), "application/json");
        var compacted = JsonDocument.Parse(result.GetRawResponse().Content.ToString()).RootElement;

        Assert.Equal("response.compaction", compacted.GetProperty("object").GetString());
        var output = compacted.GetProperty("output").EnumerateArray().ToList();
        Assert.Equal(["message", "message", "compaction"], output.Select(i => i.GetProperty("type").GetString()));
        Assert.Equal(["user", "user"], output.Take(2).Select(i => i.GetProperty("role").GetString()));
        Assert.True(compacted.GetProperty("usage").GetProperty("output_tokens").GetInt32() > 0);
        var summary = stack.Model.Requests.Last(r => r.LastUserText.Contains(Compactor.Prompt, StringComparison.Ordinal) && r.LastUserText.Contains(marker, StringComparison.Ordinal));
        Assert.Contains("[output of call", summary.LastUserText, StringComparison.Ordinal);

        var (status, carried) = await _api.PostRawAsync(JsonSerializer.Serialize(new { model = BerthStack.ScriptedModelName, input = compacted.GetProperty("output") }));
        Assert.Equal((HttpStatusCode.OK, "completed"), (status, carried.Status()));
        var asked = stack.Model.Requests.Last(r => r.LastUserText == $"and then {marker}");
        Assert.Equal(["user", "user", "system"], asked.Messages.Select(m => m.Role));
        Assert.Contains("ran 3 command(s)", asked.Messages[2].Content, StringComparison.Ordinal);

        var (refused, refusal) = await PostAsync("responses/compact", """{ "model": "berth-scripted", "prompt_cache_options": { "mode": "explicit" }, "input": "x" }""");
        Assert.Equal((HttpStatusCode.BadRequest, "prompt_cache_options"), (refused, refusal.GetProperty("error").GetProperty("param").GetString()));
        var (nothing, _) = await PostAsync("responses/compact", """{ "model": "berth-scripted" }""");
        Assert.Equal(HttpStatusCode.BadRequest, nothing);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await stack.Http.PostAsync(path, content);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}
