using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// One trace per response, exported over OTLP by the separate service processes to a receiver
/// in the test, as they would to Jaeger.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class TracingTests
{
    private const string CommandSecret = "supersecret-4711-abcdef";

    private readonly BerthStack _stack;

    public TracingTests(BerthStack stack)
    {
        _stack = stack;
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_put_api_planner_and_executor_spans_of_a_two_step_response_in_one_unbroken_trace()
    {
        using var reply = await _stack.Http.PostAsJsonAsync("responses",
            ResponsesApi.ShellRequest($"export API_TOKEN={CommandSecret}; echo one\necho two"));
        var body = JsonDocument.Parse(await reply.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("completed", body.Status());
        var traceId = body.GetProperty("trace_id").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.Equal(traceId, reply.Headers.GetValues("X-Berth-Trace-Id").Single());

        // Spans arrive in batches from three processes: wait until the trace is whole.
        List<OtlpReceiver.ReceivedSpan> spans = [];
        await Eventually.TrueAsync(() =>
        {
            spans = [.. _stack.Telemetry.Spans.Where(s => s.TraceId == traceId)];
            return Task.FromResult(IsWhole(spans));
        }, TimeSpan.FromSeconds(20), $"the whole trace {traceId}");

        var ids = spans.Select(s => s.SpanId).ToHashSet();
        var root = Assert.Single(spans, s => s.ParentSpanId.Length == 0);
        Assert.Equal("Berth.Api", root.Service);
        Assert.All(spans.Where(s => s != root), s => Assert.True(ids.Contains(s.ParentSpanId), $"span '{s.Name}' of {s.Service} has a parent that is not in the trace"));
        Assert.Equal(["Berth.Api", "Berth.Executor", "Berth.Planner"], spans.Select(s => s.Service).Distinct().Order());

        var chats = spans.Where(s => s.Name == "chat berth-scripted").ToList();
        Assert.Equal(3, chats.Count);
        Assert.All(chats, chat =>
        {
            Assert.Equal("chat", chat.Attributes["gen_ai.operation.name"]);
            Assert.Equal("berth-scripted", chat.Attributes["gen_ai.request.model"]);
            Assert.True(int.Parse(chat.Attributes["gen_ai.usage.input_tokens"], System.Globalization.CultureInfo.InvariantCulture) > 0);
            Assert.True(chat.Attributes.ContainsKey("gen_ai.usage.output_tokens"));
        });

        var tools = spans.Where(s => s.Name == "execute_tool shell").ToList();
        Assert.Equal(2, tools.Count);
        Assert.All(tools, tool => Assert.StartsWith("call_", tool.Attributes["gen_ai.tool.call.id"], StringComparison.Ordinal));
        var commands = spans.Where(s => s.Name == "shell command").ToList();
        Assert.Equal(2, commands.Count);
        Assert.All(commands, command => Assert.Equal("0", command.Attributes["berth.exit_code"]));
        Assert.Contains(commands, command => command.Attributes["berth.command"] == "export API_TOKEN=[redacted]; echo one");
        Assert.Contains(commands, command => command.Attributes["berth.stdout.chars"] == "4");

        // Nothing secret anywhere the services exported: spans, metrics or logs.
        var exported = _stack.Telemetry.Payloads.ToArray();
        Assert.NotEmpty(exported);
        foreach (var secret in new[] { CommandSecret, BerthStack.ModelApiKey })
        {
            Assert.DoesNotContain(exported, payload => payload.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) >= 0);
        }

        static bool IsWhole(List<OtlpReceiver.ReceivedSpan> spans)
        {
            var ids = spans.Select(s => s.SpanId).ToHashSet();
            return spans.Count(s => s.Name == "chat berth-scripted") == 3
                && spans.Count(s => s.Name == "shell command") == 2
                && spans.Count(s => s.ParentSpanId.Length == 0) == 1
                && spans.All(s => s.ParentSpanId.Length == 0 || ids.Contains(s.ParentSpanId));
        }
    }
}
