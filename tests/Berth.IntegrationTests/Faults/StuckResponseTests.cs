using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Berth.Contracts;
using Berth.IntegrationTests.EndToEnd;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.Faults;

/// <summary>
/// No response waits for ever: a cancel ends one even while its session cannot take a step, and
/// a session message that fails past its retries fails its response and lets the next one run.
/// The planner and api are separate processes on the fault stack's own virtual host.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class StuckResponseTests
{
    private readonly FaultStack _stack;
    private readonly ResponsesApi _api;
    private readonly ITestOutputHelper _output;

    public StuckResponseTests(FaultStack stack, ITestOutputHelper output)
    {
        _stack = stack;
        _output = output;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_end_a_cancelled_response_within_5_s_when_every_model_call_slot_is_held_by_a_slow_model()
    {
        await using var executor = await BrokenExecutor.StartAsync(_stack.BrokerUri, Answer("ok\n"));

        // Each of these holds one of the planner's model calls while its model thinks; the next response's question waits for a slot.
        var hogs = new List<string>();
        for (var i = 0; i < FaultStack.ModelCallsInFlight; i++)
        {
            hogs.Add((await _api.CreateAsync(ResponsesApi.ShellRequest("[think_ms=15000] echo hog", background: true))).Id());
        }

        await Eventually.TrueAsync(async () => (await Task.WhenAll(hogs.Select(StatusOfAsync))).All(s => s == "in_progress"),
            TimeSpan.FromSeconds(30), "every slow response to start");
        var never = $"echo never-{Guid.NewGuid():N}";
        var stuck = (await _api.CreateAsync(ResponsesApi.ShellRequest(never, background: true))).Id();

        var clock = Stopwatch.StartNew();
        using var cancel = await _stack.Http.PostAsync($"responses/{stuck}/cancel", null, TestContext.Current.CancellationToken);
        var answered = clock.Elapsed;
        var body = JsonDocument.Parse(await cancel.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", body.Status());
        Assert.True(answered < TimeSpan.FromSeconds(5), $"the cancel took {answered.TotalSeconds:0.0} s");

        // Once a model call slot frees, the cancelled response's question is not asked: it stays cancelled, with nothing in it.
        foreach (var hog in hogs)
        {
            Assert.Equal("completed", (await _api.WaitUntilFinishedAsync(hog)).Status());
        }

        await Eventually.TrueAsync(async () => await StatusOfAsync(stuck) == "cancelled" && await EventCountAsync(stuck, "response.cancelled") == 1,
            TimeSpan.FromSeconds(30), "the cancelled response to stay cancelled with one terminal event");
        Assert.DoesNotContain(_stack.Model.Requests, request => request.LastUserText.Contains(never, StringComparison.Ordinal));
        _output.WriteLine($"with {FaultStack.ModelCallsInFlight} of {FaultStack.ModelCallsInFlight} model calls held by a 15 s model turn, the cancel answered 'cancelled' in {answered.TotalSeconds:0.00} s");
    }

    [Fact]
    public async Task Should_fail_the_response_and_run_the_sessions_next_one_when_a_session_message_fails_past_its_retries()
    {
        // The first response's result has no outputs list at all: the session's step throws on every try.
        await using var executor = await BrokenExecutor.StartAsync(_stack.BrokerUri, call =>
            call.Commands.Contains("echo first") ? Answer("never read\n")(call) with { Outputs = null! } : Answer("fine\n")(call));

        var clock = Stopwatch.StartNew();
        var first = (await _api.CreateAsync(ResponsesApi.ShellRequest("echo first", background: true))).Id();
        var second = (await _api.CreateAsync(ResponsesApi.ShellRequest("echo second", previousResponseId: first, background: true))).Id();

        var failed = await _api.WaitUntilFinishedAsync(first);
        var failedAfter = clock.Elapsed;
        var next = await _api.WaitUntilFinishedAsync(second);

        Assert.True(failed.Status() == "failed" && failed.GetProperty("error").GetProperty("code").GetString() == ErrorCodes.ServerError, $"the poisoned response: {failed}");
        Assert.Contains("ToolCallCompleted", failed.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(next.Status() == "completed", $"the next response: {next}");
        Assert.Equal("fine\n", next.CommandOutputs().Single().GetProperty("stdout").GetString());
        _output.WriteLine($"a poisoned tool result failed its response after {failedAfter.TotalSeconds:0.0} s (the session's retries take 3.75 s); the session's next response then completed");
    }

    private static Func<ToolCallRequested, ToolCallCompleted> Answer(string stdout) => call => new ToolCallCompleted
    {
        SessionId = call.SessionId,
        ResponseId = call.ResponseId,
        CallId = call.CallId,
        ExecutorId = "",
        ContainerId = $"broken-{call.SessionId:N}",
        Outputs = [.. call.Commands.Select(_ => new CommandOutput { Stdout = stdout, ExitCode = 0 })],
        MaxOutputLength = call.MaxOutputLength ?? 4096,
    };


    private async Task<string> StatusOfAsync(string id) => (await _api.GetAsync(id)).Body.Status();

    private async Task<int> EventCountAsync(string id, string type)
    {
        using var stream = await _stack.Http.GetAsync($"responses/{id}?stream=true", TestContext.Current.CancellationToken);
        var text = await stream.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return text.Split('\n').Count(line => line == $"event: {type}");
    }
}
