using System.Net;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// A model with a context window in the catalog (<see cref="BerthStack.SmallModelName"/>, 2048
/// tokens, 1024 of them kept for the answer): a request that cannot fit is refused before it
/// is queued, a run that outgrows it midway fails with <c>context_length_exceeded</c>, and
/// <c>truncation: "auto"</c> drops the oldest turns instead.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ContextWindowTests
{
    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public ContextWindowTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    private static string Words(string tag, int count) => string.Join(' ', Enumerable.Range(0, count).Select(i => $"{tag}{i}"));

    [Fact]
    public async Task Should_refuse_a_request_that_cannot_fit_before_queueing_it()
    {
        var asked = _stack.Model.Requests.Count;

        var (status, body) = await _api.PostRawAsync(JsonSerializer.Serialize(new { model = BerthStack.SmallModelName, input = Words("w", 2000) }));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(("context_length_exceeded", "input"), (body.GetProperty("error").GetProperty("code").GetString(), body.GetProperty("error").GetProperty("param").GetString()));
        Assert.Equal(asked, _stack.Model.Requests.Count);
    }

    [Fact]
    public async Task Should_fail_with_context_length_exceeded_when_a_run_outgrows_the_window_midway()
    {
        var response = await _api.CreateAsync(new
        {
            model = BerthStack.SmallModelName,
            input = "seq 1 3000",
            tools = new[] { new { type = "shell", environment = new { type = "container_auto" } } },
        });

        Assert.Equal("failed", response.Status());
        Assert.Equal("context_length_exceeded", response.GetProperty("error").GetProperty("code").GetString());
        Assert.EndsWith("2999\n3000\n", response.CommandOutputs()[0].GetProperty("stdout").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_drop_the_oldest_turn_to_fit_when_truncation_is_auto_and_refuse_the_same_chain_when_it_is_disabled()
    {
        // About 500 tokens each: the first turn (its input, and the scripted model's answer, which
        // repeats it) and the second together pass the 1024 left beside the answer; each alone fits.
        var marker = Guid.NewGuid().ToString("N")[..8];
        var first = await _api.CreateAsync(new { model = BerthStack.SmallModelName, input = $"old{marker} {Words("a", 250)}" });
        Assert.Equal("completed", first.Status());
        var newer = $"new{marker} {Words("b", 250)}";

        var (status, body) = await _api.PostRawAsync(JsonSerializer.Serialize(new { model = BerthStack.SmallModelName, input = newer, previous_response_id = first.Id() }));
        Assert.Equal((HttpStatusCode.BadRequest, "context_length_exceeded"), (status, body.GetProperty("error").GetProperty("code").GetString()));

        var second = await _api.CreateAsync(new { model = BerthStack.SmallModelName, input = newer, previous_response_id = first.Id(), truncation = "auto" });

        Assert.Equal("completed", second.Status());
        Assert.Equal("auto", second.GetProperty("truncation").GetString());
        var sent = _stack.Model.Requests.Last(r => r.LastUserText == newer);
        Assert.DoesNotContain(sent.Messages, m => m.Content.Contains($"old{marker}", StringComparison.Ordinal));
        Assert.Equal(["user"], sent.Messages.Select(m => m.Role));
    }
}
