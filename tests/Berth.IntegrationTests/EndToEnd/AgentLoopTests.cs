using System.ClientModel;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;
using Berth.ScriptedModel;
using OpenAI.Responses;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// The agent loop end to end: the OpenAI SDK or raw HTTP to the api, the planner's saga and its
/// real model client, executors running commands in Docker containers.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class AgentLoopTests
{
    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public AgentLoopTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    private ResponsesClient Sdk() => ResponsesApi.Sdk(_stack);

    [Fact]
    public async Task Should_run_two_commands_and_answer_with_their_output_through_the_OpenAI_SDK()
    {
        var options = new CreateResponseOptions("berth-scripted", [ResponseItem.CreateUserMessageItem("echo first\necho second >&2")]);
        // The SDK has no type for the hosted shell tool yet; its patch is how a client sends one.
        options.Patch.Set("$.tools"u8, BinaryData.FromString("""[{"type":"shell","environment":{"type":"container_auto"}}]"""));

        ResponseResult result = await Sdk().CreateResponseAsync(options);

        Assert.Equal(ResponseStatus.Completed, result.Status);
        Assert.StartsWith("resp_", result.Id, StringComparison.Ordinal);
        var text = result.GetOutputText();
        Assert.Contains("$ echo first\nfirst\n(exit 0)", text, StringComparison.Ordinal);
        Assert.Contains("$ echo second >&2\nsecond\n(exit 0)", text, StringComparison.Ordinal);
        Assert.True(result.Usage.InputTokenCount > 0);

        // The same response, read back through the SDK and as raw JSON.
        ResponseResult again = await Sdk().GetResponseAsync(result.Id);
        Assert.Equal(text, again.GetOutputText());
        var (_, raw) = await _api.GetAsync(result.Id);
        Assert.Equal(["shell_call", "shell_call_output", "shell_call", "shell_call_output", "message"],
            raw.GetProperty("output").EnumerateArray().Select(i => i.GetProperty("type").GetString()));
        var calls = raw.Items("shell_call").ToList();
        Assert.Equal(["echo first"], calls[0].GetProperty("action").GetProperty("commands").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(calls[1].GetProperty("call_id").GetString(), raw.Items("shell_call_output").ElementAt(1).GetProperty("call_id").GetString());
        var outputs = raw.CommandOutputs();
        Assert.Equal("first\n", outputs[0].GetProperty("stdout").GetString());
        Assert.Equal("second\n", outputs[1].GetProperty("stderr").GetString());
        Assert.Equal(0, outputs[1].GetProperty("outcome").GetProperty("exit_code").GetInt32());
    }

    [Fact]
    public async Task Should_see_a_file_from_the_previous_response_and_not_from_another_chain()
    {
        var marker = Guid.NewGuid().ToString("N");
        var first = await _api.CreateAsync(ResponsesApi.ShellRequest($"echo {marker} > /mnt/data/note.txt"));
        Assert.Equal("completed", first.Status());

        var second = await _api.CreateAsync(ResponsesApi.ShellRequest("cat note.txt", previousResponseId: first.GetProperty("id").GetString()));
        Assert.Equal("completed", second.Status());
        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("previous_response_id").GetString());
        Assert.Equal($"{marker}\n", second.CommandOutputs().Single().GetProperty("stdout").GetString());

        var stranger = await _api.CreateAsync(ResponsesApi.ShellRequest("cat note.txt"));
        var output = stranger.CommandOutputs().Single();
        Assert.Equal(1, output.GetProperty("outcome").GetProperty("exit_code").GetInt32());
        Assert.Contains("No such file", output.GetProperty("stderr").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(marker, stranger.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_return_exit_code_and_stderr_as_data_when_a_command_fails()
    {
        var response = await _api.CreateAsync(ResponsesApi.ShellRequest("echo broken >&2; exit 3\necho after"));

        Assert.Equal("completed", response.Status());
        Assert.Equal(JsonValueKind.Null, response.GetProperty("error").ValueKind);
        var outputs = response.CommandOutputs();
        Assert.Equal("broken\n", outputs[0].GetProperty("stderr").GetString());
        Assert.Equal("exit", outputs[0].GetProperty("outcome").GetProperty("type").GetString());
        Assert.Equal(3, outputs[0].GetProperty("outcome").GetProperty("exit_code").GetInt32());
        Assert.Equal("after\n", outputs[1].GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task Should_time_out_a_runaway_command_and_keep_the_container_usable()
    {
        var response = await _api.CreateAsync(ResponsesApi.ShellRequest("[timeout_ms=500] sleep 60 & sleep 60; echo never\necho still here"));

        Assert.Equal("completed", response.Status());
        var outputs = response.CommandOutputs();
        Assert.Equal("timeout", outputs[0].GetProperty("outcome").GetProperty("type").GetString());
        Assert.False(outputs[0].GetProperty("outcome").TryGetProperty("exit_code", out _));
        Assert.DoesNotContain("never", outputs[0].GetProperty("stdout").GetString(), StringComparison.Ordinal);
        Assert.Equal("still here\n", outputs[1].GetProperty("stdout").GetString());

        // The timed-out command's whole process group is gone, its background child included.
        var check = await _api.CreateAsync(ResponsesApi.ShellRequest("ps -eo args | grep -c '^sleep 60' || true", previousResponseId: response.GetProperty("id").GetString()));
        Assert.Equal("0\n", check.CommandOutputs().Single().GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task Should_cut_long_output_to_max_output_length_and_say_so()
    {
        var response = await _api.CreateAsync(ResponsesApi.ShellRequest("[max_output_length=200] seq 1 100000"));

        var stdout = response.CommandOutputs().Single().GetProperty("stdout").GetString()!;
        Assert.StartsWith("1\n2\n3\n", stdout, StringComparison.Ordinal);
        Assert.EndsWith("99999\n100000\n", stdout, StringComparison.Ordinal);
        Assert.Contains("bytes truncated", stdout, StringComparison.Ordinal);
        Assert.True(stdout.Length < 300, $"stdout has {stdout.Length} characters");
        Assert.Equal(200, response.Items("shell_call_output").Single().GetProperty("max_output_length").GetInt32());
    }

    [Fact]
    public async Task Should_run_commands_without_network_or_capabilities()
    {
        var response = await _api.CreateAsync(ResponsesApi.ShellRequest("ls /sys/class/net\ngrep CapEff /proc/self/status\ncat /proc/self/attr/current 2>/dev/null; grep NoNewPrivs /proc/self/status"));

        var outputs = response.CommandOutputs();
        Assert.Equal("lo\n", outputs[0].GetProperty("stdout").GetString());
        Assert.Equal("CapEff:\t0000000000000000\n", outputs[1].GetProperty("stdout").GetString());
        Assert.Contains("NoNewPrivs:\t1", outputs[2].GetProperty("stdout").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_return_at_once_and_finish_later_when_background()
    {
        var accepted = await _api.CreateAsync(ResponsesApi.ShellRequest("sleep 1\necho done", background: true));

        Assert.Contains(accepted.Status(), new[] { "queued", "in_progress" });
        Assert.True(accepted.GetProperty("background").GetBoolean());
        Assert.Empty(accepted.GetProperty("output").EnumerateArray());

        var finished = await _api.WaitUntilFinishedAsync(accepted.GetProperty("id").GetString()!);
        Assert.Equal("completed", finished.Status());
        Assert.Equal("done\n", finished.CommandOutputs()[1].GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task Should_end_incomplete_when_the_model_calls_past_max_tool_calls()
    {
        var response = await _api.CreateAsync(ResponsesApi.ShellRequest("echo 1\necho 2\necho 3", maxToolCalls: 2));

        Assert.Equal("incomplete", response.Status());
        Assert.Equal("max_tool_calls", response.GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.Equal(2, response.Items("shell_call_output").Count());
    }

    [Fact]
    public async Task Should_fail_with_the_reason_when_the_model_endpoint_rejects_the_call()
    {
        _stack.Model.UseScript(_ => ScriptedReply.Error(400));

        var response = await _api.CreateAsync(ResponsesApi.ShellRequest("echo hi"));

        Assert.Equal("failed", response.Status());
        Assert.Equal("model_request_rejected", response.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("HTTP 400", response.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_keep_one_container_per_session_named_after_it_and_labelled_with_its_executor()
    {
        var first = await _api.CreateAsync(ResponsesApi.ShellRequest("hostname"));
        var second = await _api.CreateAsync(ResponsesApi.ShellRequest("hostname", previousResponseId: first.GetProperty("id").GetString()));

        Assert.Equal(first.CommandOutputs()[0].GetProperty("stdout").GetString(), second.CommandOutputs()[0].GetProperty("stdout").GetString());
        var hostname = first.CommandOutputs()[0].GetProperty("stdout").GetString()!.Trim();
        var containers = await _stack.ContainersAsync();
        var container = Assert.Single(containers, c => c.ID.StartsWith(hostname, StringComparison.Ordinal));
        Assert.Contains(container.Labels["berth.executor"], _stack.ExecutorIds);
        var name = Assert.Single(container.Names).TrimStart('/');
        Assert.Matches("^berth-[0-9a-f]{32}$", name);
        Assert.Single(containers, c => c.Names.Contains($"/{name}"));
    }

    [Fact]
    public async Task Should_keep_warm_containers_ready_on_every_executor()
    {
        await Eventually.TrueAsync(async () =>
        {
            // Named berth-warm-*: a claimed warm container is renamed after its session.
            var warm = (await _stack.ContainersAsync()).Where(c => c.Names.Any(n => n.StartsWith("/berth-warm-", StringComparison.Ordinal)) && c.State == "running").ToList();
            return warm.Select(c => c.Labels["berth.executor"]).Distinct().Count() >= 2 && warm.Count >= 4;
        }, TimeSpan.FromSeconds(30), "two warm containers running on each of the two executors");
    }
}
