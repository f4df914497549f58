using System.Net;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>Whatever a client sends, it gets OpenAI's error shape, and the services stay up.</summary>
[Collection(StackCollection.Name)]
public sealed class BadInputTests
{
    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public BadInputTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    [Theory]
    [InlineData("{\"model\": \"m\", \"input\": ", null, "invalid_json")]
    [InlineData("not json at all", null, "invalid_json")]
    [InlineData("{\"input\": \"hi\"}", "model", "missing_required_parameter")]
    [InlineData("{\"model\": \"m\", \"input\": \"hi\", \"tools\": [{\"type\": \"code_interpreter\"}]}", "tools[0].type", "invalid_value")]
    [InlineData("{\"model\": \"berth-scripted\", \"input\": \"hi\", \"previous_response_id\": \"resp_does_not_exist\"}", "previous_response_id", "previous_response_not_found")]
    [InlineData("{\"model\": \"berth-scripted\", \"input\": \"hi\", \"tools\": [{\"type\": \"shell\", \"environment\": {\"type\": \"container_reference\", \"container_id\": \"cntr_nope\"}}]}", "tools", "container_not_found")]
    [InlineData("{\"model\": \"gpt-4o\", \"input\": \"hi\"}", "model", "model_not_found")]
    [InlineData("{\"model\": \"gpt 4o\", \"input\": \"hi\"}", "model", "invalid_value")]
    [InlineData("{\"model\": \"berth-scripted\", \"input\": \"hi\", \"store\": false, \"background\": true}", "background", "invalid_value")]
    [InlineData("{\"name\": \"box \\ud800\"}", "name", "invalid_value")]
    public async Task Should_answer_400_with_the_OpenAI_error_shape_when_the_request_is_bad(string body, string? param, string code)
    {
        var (status, response) = await _api.PostRawAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = response.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        if (param is null)
        {
            Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        }
        else
        {
            Assert.Equal(param, error.GetProperty("param").GetString());
        }

        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Should_answer_404_with_the_OpenAI_error_shape_when_the_response_does_not_exist()
    {
        var (status, response) = await _api.GetAsync("resp_0000");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Response with id 'resp_0000' not found.", response.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Should_keep_serving_after_a_burst_of_bad_requests()
    {
        string[] garbage = ["", "{", "[]", "null", "{\"model\": []}", "{\"model\": \"m\", \"input\": [{\"role\": 5}]}", new string('{', 10_000)];
        foreach (var body in garbage)
        {
            var (status, response) = await _api.PostRawAsync(body);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.True(response.TryGetProperty("error", out _), $"no error object for '{body[..Math.Min(body.Length, 20)]}'");
        }

        var ok = await _api.CreateAsync(ResponsesApi.ShellRequest("echo alive"));
        Assert.Equal("completed", ok.Status());
    }
}
