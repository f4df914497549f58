using System.Net;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary><c>POST /v1/responses/{id}/cancel</c> on the whole pipeline: the loop stops, the command dies, the container stays.</summary>
[Collection(StackCollection.Name)]
public sealed class CancelTests
{
    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public CancelTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_cancel_in_the_middle_of_a_long_command_and_keep_the_chain_working()
    {
        var first = await _api.CreateAsync(ResponsesApi.ShellRequest("echo before > kept.txt"));
        var running = await _api.CreateAsync(ResponsesApi.ShellRequest("[timeout_ms=120000] sleep 90\necho never", previousResponseId: first.GetProperty("id").GetString(), background: true));
        var id = running.GetProperty("id").GetString()!;
        await WaitForRunningCallAsync(id);

        using var cancel = await _stack.Http.PostAsync($"responses/{id}/cancel", null);
        var cancelled = System.Text.Json.JsonDocument.Parse(await cancel.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", cancelled.Status());
        Assert.Equal("incomplete", cancelled.Items("shell_call").Single().GetProperty("status").GetString());

        // The chain goes on in the same container: the file is there. The kill travels to the
        // executor on its own message, so the sleep is gone within moments, not necessarily at once.
        var next = await _api.CreateAsync(ResponsesApi.ShellRequest("cat kept.txt", previousResponseId: id));
        Assert.Equal("completed", next.Status());
        Assert.Equal("before\n", next.CommandOutputs()[0].GetProperty("stdout").GetString());

        // The bound is far below the sleep's own 90 s, yet loose enough for a Docker engine that
        // other tests keep busy: then each of its calls, the kill's exec included, can take many seconds.
        var previous = next.GetProperty("id").GetString();
        await Eventually.TrueAsync(async () =>
        {
            var check = await _api.CreateAsync(ResponsesApi.ShellRequest("ps -eo pid,stat,args | grep -c ' sleep 90$' || true", previousResponseId: previous));
            previous = check.GetProperty("id").GetString();
            return check.CommandOutputs()[0].GetProperty("stdout").GetString() == "0\n";
        }, TimeSpan.FromSeconds(45), $"the cancelled command to be gone; {_stack.Logs}");
    }

    [Fact]
    public async Task Should_cancel_without_waiting_for_the_model_when_it_is_still_thinking()
    {
        // The model takes a minute over its first turn; the session's step waits for it.
        var running = await _api.CreateAsync(ResponsesApi.ShellRequest("[think_ms=60000] echo never", background: true));
        var id = running.GetProperty("id").GetString()!;
        await WaitForStatusAsync(id, "in_progress");

        using var cancel = await _stack.Http.PostAsync($"responses/{id}/cancel", null);
        var cancelled = System.Text.Json.JsonDocument.Parse(await cancel.Content.ReadAsStringAsync()).RootElement;

        // The cancel answers with the response as it stands after at most 5 s: "cancelled" only if
        // it reached the model call in flight, rather than waiting a minute behind it.
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", cancelled.Status());
        Assert.Empty(cancelled.Items("shell_call"));

        var next = await _api.CreateAsync(ResponsesApi.ShellRequest("echo after", previousResponseId: id));
        Assert.Equal("completed", next.Status());
        Assert.Equal("after\n", next.CommandOutputs()[0].GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task Should_return_a_finished_response_unchanged_and_404_for_an_unknown_one()
    {
        var done = await _api.CreateAsync(ResponsesApi.ShellRequest("true"));

        using var again = await _stack.Http.PostAsync($"responses/{done.GetProperty("id").GetString()}/cancel", null);
        var body = System.Text.Json.JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("completed", body.Status());

        using var unknown = await _stack.Http.PostAsync("responses/resp_nope/cancel", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private Task WaitForStatusAsync(string responseId, string status) =>
        Eventually.TrueAsync(async () => (await _api.GetAsync(responseId)).Body.Status() == status, TimeSpan.FromSeconds(30),
            $"{responseId} to reach {status}; {_stack.Logs}");

    private async Task WaitForRunningCallAsync(string responseId)
    {
        await Eventually.TrueAsync(async () => (await _api.GetAsync(responseId)).Body.Items("shell_call").Any(), TimeSpan.FromSeconds(30),
            $"{responseId} to start its shell call; {_stack.Logs}");

        // The call is dispatched; give the executor a moment to start the command itself.
        await Task.Delay(1500);
    }
}
