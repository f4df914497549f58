using System.ClientModel;
using System.Net;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;
using OpenAI.Responses;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// The client's own functions beside the shell, end to end: the official SDK to the api, the
/// planner offering them to the scripted model, the response ending with the model's calls,
/// and the client's outputs carrying the session on.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class FunctionToolTests
{
    private const string Weather = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}""";

    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public FunctionToolTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    private ResponsesClient Sdk() => ResponsesApi.Sdk(_stack);

    [Fact]
    public async Task Should_end_with_the_function_call_after_the_shell_ran_and_carry_on_when_the_client_sends_its_output_through_the_OpenAI_SDK()
    {
        var marker = Guid.NewGuid().ToString("N")[..12];
        var options = new CreateResponseOptions("berth-scripted", [ResponseItem.CreateUserMessageItem(
            $"echo {marker} > /mnt/data/kept.txt\n[call_function=get_weather] {{\"city\":\"Paris\"}}\ncat kept.txt")]);
        options.Tools.Add(ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString(Weather), strictModeEnabled: true, functionDescription: "Today's weather in a city."));
        // The SDK has no type for the hosted shell tool yet; its patch is how a client adds one.
        options.Patch.Append("$.tools"u8, BinaryData.FromString("""{"type":"shell","environment":{"type":"container_auto"}}"""));

        ResponseResult first = await Sdk().CreateResponseAsync(options);

        Assert.Equal(ResponseStatus.Completed, first.Status);
        var call = Assert.IsType<FunctionCallResponseItem>(first.OutputItems[^1]);
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("Paris", JsonDocument.Parse(call.FunctionArguments).RootElement.GetProperty("city").GetString());
        var (_, raw) = await _api.GetAsync(first.Id);
        Assert.Equal(["shell_call", "shell_call_output", "function_call"], raw.GetProperty("output").EnumerateArray().Select(i => i.GetProperty("type").GetString()));
        var tools = raw.GetProperty("tools").EnumerateArray().ToList();
        Assert.Equal(["shell", "function"], tools.Select(t => t.GetProperty("type").GetString()));
        Assert.True(tools[1].GetProperty("strict").GetBoolean());
        Assert.Equal("object", tools[1].GetProperty("parameters").GetProperty("type").GetString());

        // What the model was offered: the client's function, with its schema and strictness, beside the shell.
        var asked = _stack.Model.Requests.Last(r => r.LastUserText.Contains(marker, StringComparison.Ordinal)).Raw;
        var offered = asked.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("function")).Single(f => f.GetProperty("name").GetString() == "get_weather");
        Assert.True(offered.GetProperty("strict").GetBoolean());
        Assert.Equal("Today's weather in a city.", offered.GetProperty("description").GetString());

        var next = new CreateResponseOptions("berth-scripted", [ResponseItem.CreateFunctionCallOutputItem(call.CallId, "sunny, 24 C")]) { PreviousResponseId = first.Id };
        next.Tools.Add(ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString(Weather), strictModeEnabled: true));
        next.Patch.Append("$.tools"u8, BinaryData.FromString("""{"type":"shell","environment":{"type":"container_auto"}}"""));
        ResponseResult second = await Sdk().CreateResponseAsync(next);

        Assert.Equal(ResponseStatus.Completed, second.Status);
        var text = second.GetOutputText();
        Assert.Contains("get_weather returned sunny, 24 C", text, StringComparison.Ordinal);

        // The session's container carried on: the last line read the file the first response wrote.
        Assert.Contains($"$ cat kept.txt\n{marker}\n(exit 0)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_answer_400_when_a_continuation_leaves_a_function_call_without_its_output_or_answers_one_never_made()
    {
        var first = await _api.CreateAsync(Request("""[call_function=get_weather] {"city":"Oslo"}"""));
        Assert.Equal("completed", first.Status());
        var callId = first.Items("function_call").Single().GetProperty("call_id").GetString()!;

        var (status, body) = await _api.PostRawAsync(JsonSerializer.Serialize(Request("thanks", first.Id())));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal($"No tool output found for function call {callId}.", body.GetProperty("error").GetProperty("message").GetString());

        (status, body) = await _api.PostRawAsync(JsonSerializer.Serialize(Request(
            new object[] { new { type = "function_call_output", call_id = callId, output = "rain" }, new { type = "function_call_output", call_id = "call_never_made", output = "?" } },
            first.Id())));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("No tool call found for function call output with call_id call_never_made.", body.GetProperty("error").GetProperty("message").GetString());

        var answered = await _api.CreateAsync(Request(new object[] { new { type = "function_call_output", call_id = callId, output = "rain" } }, first.Id()));
        Assert.Equal("completed", answered.Status());
        Assert.Contains("get_weather returned rain", answered.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_pass_tool_choice_and_parallel_tool_calls_to_the_model_and_echo_them()
    {
        var marker = Guid.NewGuid().ToString("N")[..12];
        var request = Request($"[call_function=get_weather] {{\"city\":\"{marker}\"}}");
        request["tool_choice"] = new { type = "function", name = "get_weather" };
        request["parallel_tool_calls"] = false;

        var response = await _api.CreateAsync(request);

        Assert.Equal("completed", response.Status());
        Assert.Equal("get_weather", response.GetProperty("tool_choice").GetProperty("name").GetString());
        Assert.False(response.GetProperty("parallel_tool_calls").GetBoolean());
        var asked = _stack.Model.Requests.Last(r => r.LastUserText.Contains(marker, StringComparison.Ordinal)).Raw;
        Assert.Equal("get_weather", asked.GetProperty("tool_choice").GetProperty("function").GetProperty("name").GetString());
        Assert.False(asked.GetProperty("parallel_tool_calls").GetBoolean());
    }

    [Fact]
    public async Task Should_stream_the_function_call_from_added_through_its_arguments_to_done_when_the_client_streams()
    {
        var request = Request("""[call_function=get_weather] {"city":"Rome"}""");
        request["stream"] = true;
        using var post = new HttpRequestMessage(HttpMethod.Post, "responses") { Content = System.Net.Http.Json.JsonContent.Create(request) };
        using var response = await _stack.Http.SendAsync(post, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var events = await StreamedEvent.ReadAsync(await response.Content.ReadAsStreamAsync());

        var call = events.Where(e => e.ItemType == "function_call" || e.Type.StartsWith("response.function_call_arguments", StringComparison.Ordinal)).ToList();
        Assert.Equal(["response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done"],
            call.Select(e => e.Type));
        Assert.Equal("in_progress", call[0].Data.GetProperty("item").GetProperty("status").GetString());
        var itemId = call[0].Data.GetProperty("item").GetProperty("id").GetString();
        Assert.All(call.Skip(1).Take(2), e => Assert.Equal(itemId, e.Data.GetProperty("item_id").GetString()));
        Assert.Equal("""{"city":"Rome"}""", call[1].Data.GetProperty("delta").GetString());
        Assert.Equal("""{"city":"Rome"}""", call[2].Data.GetProperty("arguments").GetString());
        Assert.Equal("get_weather", call[2].Data.GetProperty("name").GetString());
        var done = call[3].Data.GetProperty("item");
        Assert.Equal(("completed", "get_weather", """{"city":"Rome"}"""), (done.GetProperty("status").GetString(), done.GetProperty("name").GetString(), done.GetProperty("arguments").GetString()));
        Assert.Equal("response.completed", events[^1].Type);
    }

    private static Dictionary<string, object?> Request(object input, string? previousResponseId = null) => new()
    {
        ["model"] = "berth-scripted",
        ["input"] = input,
        ["previous_response_id"] = previousResponseId,
        ["tools"] = new object[] { new { type = "function", name = "get_weather", parameters = JsonDocument.Parse(Weather).RootElement, strict = true } },
    };
}
