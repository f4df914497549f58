using Berth.IntegrationTests.Fixtures;
using OpenAI.Responses;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// The request parameters that shape the model's answer reach the model, on every call of the
/// response, and come back in the response object, as OpenAI echoes them.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ModelSettingsTests
{
    private const string Schema = """{"type":"object","properties":{"verdict":{"type":"string"}},"required":["verdict"],"additionalProperties":false}""";

    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public ModelSettingsTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_pass_every_setting_to_each_model_call_and_echo_them_when_a_request_sets_them()
    {
        var marker = Guid.NewGuid().ToString("N")[..12];
        var request = new Dictionary<string, object?>
        {
            ["model"] = "berth-scripted",
            ["input"] = $"echo {marker}",
            ["tools"] = new[] { new { type = "shell" } },
            ["temperature"] = 0.25,
            ["top_p"] = 0.5,
            ["max_output_tokens"] = 200,
            ["reasoning"] = new { effort = "low" },
            ["user"] = "user-7",
            ["safety_identifier"] = "hashed-7",
            ["prompt_cache_key"] = "cache-7",
            ["text"] = new { format = new { type = "json_schema", name = "verdict", schema = System.Text.Json.JsonDocument.Parse(Schema).RootElement, strict = true } },
        };

        var response = await _api.CreateAsync(request);

        Assert.Equal("completed", response.Status());
        var asked = _stack.Model.Requests.Where(r => r.LastUserText.Contains(marker, StringComparison.Ordinal)).Select(r => r.Raw).ToList();
        Assert.Equal(2, asked.Count);
        Assert.All(asked, raw =>
        {
            Assert.Equal(0.25, raw.GetProperty("temperature").GetDouble(), 3);
            Assert.Equal(0.5, raw.GetProperty("top_p").GetDouble(), 3);
            Assert.Equal(200, raw.GetProperty("max_completion_tokens").GetInt32());
            Assert.Equal("low", raw.GetProperty("reasoning_effort").GetString());
            Assert.Equal("user-7", raw.GetProperty("user").GetString());
            Assert.Equal("hashed-7", raw.GetProperty("safety_identifier").GetString());
            Assert.Equal("cache-7", raw.GetProperty("prompt_cache_key").GetString());
            var format = raw.GetProperty("response_format");
            Assert.Equal("json_schema", format.GetProperty("type").GetString());
            Assert.Equal("verdict", format.GetProperty("json_schema").GetProperty("name").GetString());
            Assert.True(format.GetProperty("json_schema").GetProperty("strict").GetBoolean());
            Assert.Equal("object", format.GetProperty("json_schema").GetProperty("schema").GetProperty("type").GetString());
        });

        Assert.Equal(0.25, response.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(0.5, response.GetProperty("top_p").GetDouble(), 3);
        Assert.Equal(200, response.GetProperty("max_output_tokens").GetInt32());
        Assert.Equal("low", response.GetProperty("reasoning").GetProperty("effort").GetString());
        Assert.Equal("user-7", response.GetProperty("user").GetString());
        Assert.Equal("hashed-7", response.GetProperty("safety_identifier").GetString());
        var echoed = response.GetProperty("text").GetProperty("format");
        Assert.Equal(("json_schema", "verdict", true), (echoed.GetProperty("type").GetString(), echoed.GetProperty("name").GetString(), echoed.GetProperty("strict").GetBoolean()));
        Assert.Equal("object", echoed.GetProperty("schema").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Should_ask_the_model_for_a_json_object_when_the_OpenAI_SDK_sets_that_text_format()
    {
        var marker = Guid.NewGuid().ToString("N")[..12];
        var options = new CreateResponseOptions("berth-scripted", [ResponseItem.CreateUserMessageItem($"say {marker}")])
        {
            TextOptions = new ResponseTextOptions { TextFormat = ResponseTextFormat.CreateJsonObjectFormat() },
            MaxOutputTokenCount = 64,
        };

        ResponseResult result = await ResponsesApi.Sdk(_stack).CreateResponseAsync(options);

        Assert.Equal(ResponseStatus.Completed, result.Status);
        Assert.Equal(ResponseTextFormatKind.JsonObject, result.TextOptions.TextFormat.Kind);
        Assert.Equal(64, result.MaxOutputTokenCount);
        var raw = _stack.Model.Requests.Last(r => r.LastUserText.Contains(marker, StringComparison.Ordinal)).Raw;
        Assert.Equal("json_object", raw.GetProperty("response_format").GetProperty("type").GetString());
        Assert.Equal(64, raw.GetProperty("max_completion_tokens").GetInt32());
    }
}
