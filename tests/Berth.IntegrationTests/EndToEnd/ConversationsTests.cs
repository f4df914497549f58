using System.ClientModel;
using System.Net;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;
using OpenAI.Conversations;
using OpenAI.Responses;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// <c>/v1/conversations</c> through the real stack: the official SDK's conversation calls, and
/// responses made in a conversation, which share one session and its container and see the
/// conversation's items before their input.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ConversationsTests
{
    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public ConversationsTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    private ConversationClient Sdk() =>
        new(new ApiKeyCredential("not-checked-here"), new ConversationClientOptions { Endpoint = new Uri(_stack.Http.BaseAddress!.ToString().TrimEnd('/')) });

    private static async Task<JsonElement> JsonOf<T>(Task<T> call) where T : ClientResult
    {
        var result = await call;
        return JsonDocument.Parse(result.GetRawResponse().Content.ToString()).RootElement.Clone();
    }

    private static BinaryContent Body(string json) => BinaryContent.Create(BinaryData.FromString(json));

    [Fact]
    public async Task Should_keep_a_conversations_items_in_order_and_its_metadata_through_the_OpenAI_SDK()
    {
        var client = Sdk();
        var created = await JsonOf(client.CreateConversationAsync(Body("""
            { "metadata": { "topic": "test" }, "items": [
                { "type": "message", "role": "user", "content": "Say 'this is a test.'" },
                { "type": "message", "role": "assistant", "content": "This is a test." } ] }
            """)));
        var id = created.GetProperty("id").GetString()!;

        Assert.Equal(("conversation", "test"), (created.GetProperty("object").GetString(), created.GetProperty("metadata").GetProperty("topic").GetString()));
        Assert.Equal("test", (await JsonOf(client.GetConversationAsync(id))).GetProperty("metadata").GetProperty("topic").GetString());
        var updated = await JsonOf(client.UpdateConversationAsync(id, Body("""{ "metadata": { "topic": "changed" } }""")));
        Assert.Equal("changed", updated.GetProperty("metadata").GetProperty("topic").GetString());

        var added = await JsonOf(client.CreateConversationItemsAsync(id, Body("""{ "items": [ { "type": "message", "role": "user", "content": [ { "type": "input_text", "text": "third" } ] } ] }""")));
        var third = added.GetProperty("data")[0].GetProperty("id").GetString()!;

        var newestFirst = new List<JsonElement>();
        await foreach (var page in client.GetConversationItemsAsync(id).GetRawPagesAsync())
        {
            newestFirst.AddRange(JsonDocument.Parse(page.GetRawResponse().Content.ToString()).RootElement.GetProperty("data").EnumerateArray().Select(e => e.Clone()));
        }

        Assert.Equal(["user", "assistant", "user"], newestFirst.Select(i => i.GetProperty("role").GetString()).Reverse());
        Assert.Equal(third, newestFirst[0].GetProperty("id").GetString());
        var (_, oldest) = await GetAsync($"conversations/{id}/items?order=asc&limit=1");
        var (_, next) = await GetAsync($"conversations/{id}/items?order=asc&limit=1&after={oldest.GetProperty("data")[0].GetProperty("id").GetString()}");
        Assert.True(oldest.GetProperty("has_more").GetBoolean());
        Assert.Equal("This is a test.", next.GetProperty("data")[0].GetProperty("content")[0].GetProperty("text").GetString());

        Assert.Equal("third", (await JsonOf(client.GetConversationItemAsync(id, third))).GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(id, (await JsonOf(client.DeleteConversationItemAsync(id, third))).GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"conversations/{id}/items/{third}")).Status);

        var deleted = await JsonOf(client.DeleteConversationAsync(id));
        Assert.Equal(("conversation.deleted", true), (deleted.GetProperty("object").GetString(), deleted.GetProperty("deleted").GetBoolean()));
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"conversations/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"conversations/{id}/items")).Status);
    }

    [Fact]
    public async Task Should_run_a_conversations_responses_in_one_container_each_seeing_the_items_before_it()
    {
        var marker = Guid.NewGuid().ToString("N")[..12];
        var created = await JsonOf(Sdk().CreateConversationAsync(Body($$"""{ "items": [ { "type": "message", "role": "user", "content": "remember {{marker}}" } ] }""")));
        var id = created.GetProperty("id").GetString()!;
        object Request(string input) => new Dictionary<string, object?>
        {
            ["model"] = BerthStack.ScriptedModelName,
            ["input"] = input,
            ["tools"] = new[] { new { type = "shell", environment = new { type = "container_auto" } } },
            ["conversation"] = id,
            ["background"] = true,
        };

        // The second is queued while the first runs: it must still see what the first added.
        var first = await _api.CreateAsync(Request($"echo {marker} > /mnt/data/kept.txt"));
        var second = await _api.CreateAsync(Request("cat /mnt/data/kept.txt"));
        var done = await _api.WaitUntilAllFinishedAsync([first.Id(), second.Id()], TimeSpan.FromSeconds(60));
        ResponseResult third = await ResponsesApi.Sdk(_stack).CreateResponseAsync(
            new CreateResponseOptions(BerthStack.ScriptedModelName, [ResponseItem.CreateUserMessageItem($"what now {marker}")]) { ConversationOptions = new ResponseConversationOptions(id) });

        // The first's own ending (its error, if it failed) is what the second's model call is built on.
        var firstEnded = done[first.Id()];
        Assert.True(firstEnded.Status() == "completed", $"The first response ended {firstEnded.Status()}: {firstEnded.GetProperty("error")}; {_stack.Logs}");
        Assert.Equal($"{marker}\n", done[second.Id()].CommandOutputs().Single().GetProperty("stdout").GetString());
        Assert.Equal(id, done[second.Id()].GetProperty("conversation").GetProperty("id").GetString());
        Assert.Equal(ResponseStatus.Completed, third.Status);
        var secondAsked = _stack.Model.Requests.First(r => r.LastUserText == "cat /mnt/data/kept.txt" && r.Raw.GetRawText().Contains(marker, StringComparison.Ordinal));
        Assert.Equal(["user", "user", "assistant", "tool", "assistant", "user"], secondAsked.Messages.Select(m => m.Role));
        Assert.Equal($"remember {marker}", secondAsked.Messages[0].Content);

        var (_, items) = await GetAsync($"conversations/{id}/items?order=asc&limit=100");
        var types = items.GetProperty("data").EnumerateArray().Select(i => $"{i.GetProperty("type").GetString()}").ToList();
        Assert.Equal(["message", "message", "shell_call", "shell_call_output", "message", "message", "shell_call", "shell_call_output", "message", "message", "message"], types);
        Assert.Equal($"what now {marker}", items.GetProperty("data")[9].GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Should_refuse_a_conversation_with_a_previous_response_an_unknown_one_and_bad_items_by_name()
    {
        var id = (await JsonOf(Sdk().CreateConversationAsync(Body("{}")))).GetProperty("id").GetString()!;
        var finished = await _api.CreateAsync(ResponsesApi.ShellRequest("echo hi"));
        string Response(string conversation, string? previous = null) => JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["model"] = BerthStack.ScriptedModelName,
            ["input"] = "hi",
            ["conversation"] = JsonDocument.Parse(conversation).RootElement,
            ["previous_response_id"] = previous,
        }.Where(p => p.Value is not null).ToDictionary());

        var both = await _api.PostRawAsync(Response($"\"{id}\"", finished.Id()));
        var unknown = await _api.PostRawAsync(Response("{\"id\": \"conv_00000000000000000000000000000000\"}"));
        var hostile = await _api.PostRawAsync(Response("\"conv_../../x\""));
        var tooMany = await PostAsync($"conversations/{id}/items", JsonSerializer.Serialize(new { items = Enumerable.Repeat(new { role = "user", content = "x" }, 21) }));
        var reference = await PostAsync($"conversations/{id}/items", """{ "items": [ { "type": "item_reference", "id": "msg_1" } ] }""");
        var unknownField = await PostAsync("conversations", """{ "title": "x" }""");

        Assert.Equal((HttpStatusCode.BadRequest, "conversation"), (both.Status, both.Body.GetProperty("error").GetProperty("param").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "conversation"), (unknown.Status, unknown.Body.GetProperty("error").GetProperty("param").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "conversation"), (hostile.Status, hostile.Body.GetProperty("error").GetProperty("param").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "items"), (tooMany.Status, tooMany.Body.GetProperty("error").GetProperty("param").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "items[0].type"), (reference.Status, reference.Body.GetProperty("error").GetProperty("param").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "title"), (unknownField.Status, unknownField.Body.GetProperty("error").GetProperty("param").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync("conversations/conv_..%2F..%2Fetc")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync($"conversations/{id}/items/{new string('a', 129)}")).Status);
        Assert.Empty((await GetAsync($"conversations/{id}/items")).Body.GetProperty("data").EnumerateArray());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path)
    {
        using var response = await _stack.Http.GetAsync(path);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await _stack.Http.PostAsync(path, content);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}
