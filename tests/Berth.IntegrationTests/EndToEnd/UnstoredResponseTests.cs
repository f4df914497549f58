using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;
using OpenAI.Responses;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// <c>store: false</c>, as on OpenAI: the request that makes the response gets it, whole or as a
/// stream, and after that no client can read it, list its input, continue from it or refer to
/// its items.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class UnstoredResponseTests
{
    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public UnstoredResponseTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_answer_the_request_whole_and_then_answer_every_client_as_if_it_never_existed_through_the_OpenAI_SDK()
    {
        var marker = Guid.NewGuid().ToString("N")[..12];
        var options = new CreateResponseOptions(BerthStack.ScriptedModelName, [ResponseItem.CreateUserMessageItem($"echo {marker}")]) { StoredOutputEnabled = false };
        options.Patch.Set("$.tools"u8, BinaryData.FromString("""[{"type":"shell","environment":{"type":"container_auto"}}]"""));

        ResponseResult response = await ResponsesApi.Sdk(_stack).CreateResponseAsync(options);

        Assert.Equal(ResponseStatus.Completed, response.Status);
        Assert.Contains($"$ echo {marker}\n{marker}\n(exit 0)", response.GetOutputText(), StringComparison.Ordinal);
        var read = await Assert.ThrowsAsync<ClientResultException>(() => ResponsesApi.Sdk(_stack).GetResponseAsync(response.Id));
        Assert.Equal(404, read.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _stack.Http.GetAsync($"responses/{response.Id}/input_items")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _stack.Http.DeleteAsync($"responses/{response.Id}")).StatusCode);

        var (status, body) = await _api.PostRawAsync(JsonSerializer.Serialize(new { model = BerthStack.ScriptedModelName, input = "and then?", previous_response_id = response.Id }));
        Assert.Equal((HttpStatusCode.BadRequest, "previous_response_not_found"), (status, body.GetProperty("error").GetProperty("code").GetString()));
        var said = response.OutputItems.OfType<MessageResponseItem>().Single().Id;
        (status, body) = await _api.PostRawAsync(JsonSerializer.Serialize(new { model = BerthStack.ScriptedModelName, input = new[] { new { type = "item_reference", id = said } } }));
        Assert.Equal((HttpStatusCode.BadRequest, $"Item with id '{said}' not found."), (status, body.GetProperty("error").GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Should_stream_the_response_to_the_request_that_made_it_and_refuse_to_replay_it()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "responses")
        {
            Content = JsonContent.Create(new { model = BerthStack.ScriptedModelName, input = "hello", stream = true, store = false }),
        };
        using var response = await _stack.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = await StreamedEvent.ReadAsync(await response.Content.ReadAsStreamAsync());

        Assert.Equal("response.completed", events[^1].Type);
        Assert.Contains("You said: hello", events.Single(e => e.Type == "response.output_text.done").Data.GetProperty("text").GetString(), StringComparison.Ordinal);
        var id = events[0].Data.GetProperty("response").GetProperty("id").GetString();
        using var replay = await _stack.Http.GetAsync($"responses/{id}?stream=true");
        Assert.Equal(HttpStatusCode.NotFound, replay.StatusCode);
    }
}
