using System.Net;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;
using OpenAI.Responses;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// What a response was given, end to end: histories a client sends back instead of a
/// <c>previous_response_id</c>, references to stored items, the input items listed, and
/// responses deleted.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class InputItemsTests
{
    private const string Weather = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}""";

    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public InputItemsTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    private ResponsesClient Sdk() => ResponsesApi.Sdk(_stack);

    [Fact]
    public async Task Should_carry_on_from_the_output_items_a_client_sends_back_when_it_gives_no_previous_response()
    {
        var marker = Guid.NewGuid().ToString("N")[..12];
        var said = $"echo {marker}\n[call_function=get_weather] {{\"city\":\"Oslo\"}}";
        var first = await _api.CreateAsync(Request(said, withShell: true));
        Assert.Equal(["shell_call", "shell_call_output", "function_call"], first.GetProperty("output").EnumerateArray().Select(i => i.GetProperty("type").GetString()));
        var callId = first.Items("function_call").Single().GetProperty("call_id").GetString()!;

        // The whole history, as a client that keeps its own sends it: Berth's output items as they came.
        var history = new List<object> { new { role = "user", content = said } };
        history.AddRange(first.GetProperty("output").EnumerateArray().Select(i => (object)i));
        history.Add(new { type = "function_call_output", call_id = callId, output = "sunny" });
        var second = await _api.CreateAsync(Request(history, withShell: true));

        Assert.Equal("completed", second.Status());
        Assert.Contains($"$ echo {marker}\n{marker}\n(exit 0)", second.Text(), StringComparison.Ordinal);
        Assert.Contains("get_weather returned sunny", second.Text(), StringComparison.Ordinal);
        var asked = _stack.Model.Requests.Last(r => r.LastUserText.Contains(marker, StringComparison.Ordinal)).Raw.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["user", "assistant", "tool", "assistant", "tool"], asked.Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("shell", asked[1].GetProperty("tool_calls")[0].GetProperty("function").GetProperty("name").GetString());
        Assert.Equal(callId, asked[3].GetProperty("tool_calls")[0].GetProperty("id").GetString());
        Assert.Null(second.GetProperty("previous_response_id").GetString());
    }

    [Fact]
    public async Task Should_carry_on_from_the_SDKs_own_output_items_and_from_references_to_stored_items_through_the_OpenAI_SDK()
    {
        var city = Guid.NewGuid().ToString("N")[..8];
        var question = ResponseItem.CreateUserMessageItem($"[call_function=get_weather] {{\"city\":\"{city}\"}}");
        ResponseResult first = await Sdk().CreateResponseAsync(WithWeather(new CreateResponseOptions("berth-scripted", [question])));
        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(first.OutputItems));

        // As the SDK's users keep history: the input, then the output items as the SDK read them.
        List<ResponseItem> history = [question, .. first.OutputItems, ResponseItem.CreateFunctionCallOutputItem(call.CallId, "windy")];
        ResponseResult resent = await Sdk().CreateResponseAsync(WithWeather(new CreateResponseOptions("berth-scripted", history)));
        Assert.Contains("get_weather returned windy", resent.GetOutputText(), StringComparison.Ordinal);

        // As clients that keep ids only send them: references to the question and the call, stored with the first response.
        var asked = new List<ResponseItem>();
        await foreach (var item in Sdk().GetResponseInputItemsAsync(first.Id))
        {
            asked.Add(item);
        }

        var questionId = Assert.IsAssignableFrom<MessageResponseItem>(Assert.Single(asked)).Id;
        ResponseResult referred = await Sdk().CreateResponseAsync(WithWeather(new CreateResponseOptions("berth-scripted",
            [ResponseItem.CreateReferenceItem(questionId), ResponseItem.CreateReferenceItem(call.Id), ResponseItem.CreateFunctionCallOutputItem(call.CallId, "cloudy")])));

        Assert.Equal(ResponseStatus.Completed, referred.Status);
        Assert.Contains("get_weather returned cloudy", referred.GetOutputText(), StringComparison.Ordinal);
        var (_, listed) = await ListAsync(referred.Id, "order=asc");
        Assert.Equal([("message", questionId), ("function_call", call.Id)],
            listed.GetProperty("data").EnumerateArray().Take(2).Select(i => (i.GetProperty("type").GetString(), i.GetProperty("id").GetString())));

        var (status, body) = await _api.PostRawAsync(JsonSerializer.Serialize(new { model = "berth-scripted", input = new[] { new { type = "item_reference", id = "msg_never_stored" } } }));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Item with id 'msg_never_stored' not found.", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Should_list_the_input_items_newest_first_and_page_them_either_way()
    {
        var response = await _api.CreateAsync(new
        {
            model = "berth-scripted",
            input = new object[]
            {
                new { role = "developer", content = "be brief" },
                new { role = "user", content = "first" },
                new { role = "assistant", content = "noted" },
                new { role = "user", content = new[] { new { type = "input_text", text = "second" } } },
            },
        });

        var listed = new List<ResponseItem>();
        await foreach (var item in Sdk().GetResponseInputItemsAsync(response.Id()))
        {
            listed.Add(item);
        }

        Assert.Equal([MessageRole.User, MessageRole.Assistant, MessageRole.User, MessageRole.Developer], listed.Select(i => ((MessageResponseItem)i).Role));
        Assert.Equal("second", ((MessageResponseItem)listed[0]).Content[0].Text);
        var ids = listed.Select(i => ((MessageResponseItem)i).Id).Reverse().ToList();
        Assert.Equal(4, ids.Distinct().Count());

        var (_, page) = await ListAsync(response.Id(), "order=asc&limit=3");
        Assert.Equal(ids[..3], page.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal((ids[0], ids[2], true), (page.GetProperty("first_id").GetString(), page.GetProperty("last_id").GetString(), page.GetProperty("has_more").GetBoolean()));
        var (_, rest) = await ListAsync(response.Id(), $"order=asc&limit=3&after={ids[2]}");
        Assert.Equal([ids[3]], rest.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.False(rest.GetProperty("has_more").GetBoolean());
        var (_, before) = await ListAsync(response.Id(), $"order=asc&limit=1&before={ids[2]}");
        Assert.Equal([ids[1]], before.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.True(before.GetProperty("has_more").GetBoolean());
        var assistant = page.GetProperty("data")[2];
        Assert.Equal(("assistant", "output_text", "noted"), (assistant.GetProperty("role").GetString(), assistant.GetProperty("content")[0].GetProperty("type").GetString(), assistant.GetProperty("content")[0].GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Should_pass_the_images_of_a_user_message_to_the_model_in_order_and_list_them_through_the_OpenAI_SDK()
    {
        var marker = Guid.NewGuid().ToString("N")[..12];
        var message = ResponseItem.CreateUserMessageItem(
        [
            ResponseContentPart.CreateInputTextPart($"what is in these? {marker}"),
            ResponseContentPart.CreateInputImagePart(new Uri("https://images.example.test/cat.png"), ResponseImageDetailLevel.Low),
        ]);
        message.Patch.Append("$.content"u8, BinaryData.FromString($$"""{"type":"input_image","image_url":"data:image/png;base64,{{TinyPng}}","detail":"high"}"""));

        ResponseResult response = await Sdk().CreateResponseAsync(new CreateResponseOptions(BerthStack.ScriptedModelName, [message]));

        Assert.Equal(ResponseStatus.Completed, response.Status);
        var sent = _stack.Model.Requests.Last(r => r.LastUserText.Contains(marker, StringComparison.Ordinal)).Raw.GetProperty("messages").EnumerateArray().Last();
        var parts = sent.GetProperty("content").EnumerateArray().ToList();
        Assert.Equal(["text", "image_url", "image_url"], parts.Select(p => p.GetProperty("type").GetString()));
        Assert.Equal(("https://images.example.test/cat.png", "low"), (parts[1].GetProperty("image_url").GetProperty("url").GetString(), parts[1].GetProperty("image_url").GetProperty("detail").GetString()));
        Assert.Equal(($"data:image/png;base64,{TinyPng}", "high"), (parts[2].GetProperty("image_url").GetProperty("url").GetString(), parts[2].GetProperty("image_url").GetProperty("detail").GetString()));

        var (_, listed) = await ListAsync(response.Id, "include[]=message.input_image.image_url");
        var content = listed.GetProperty("data")[0].GetProperty("content").EnumerateArray().ToList();
        Assert.Equal(["input_text", "input_image", "input_image"], content.Select(p => p.GetProperty("type").GetString()));
        Assert.Equal("https://images.example.test/cat.png", content[1].GetProperty("image_url").GetString());
    }

    [Fact]
    public async Task Should_send_uploaded_files_and_images_by_file_id_and_an_inline_file_to_the_model_and_list_them_through_the_OpenAI_SDK()
    {
        var files = new OpenAI.Files.OpenAIFileClient(new System.ClientModel.ApiKeyCredential("not-checked-here"),
            new OpenAI.OpenAIClientOptions { Endpoint = new Uri(_stack.Http.BaseAddress!.ToString().TrimEnd('/')) });
        var png = Convert.FromBase64String(TinyPng);
        var pdf = "%PDF-1.4 quarterly report"u8.ToArray();
        var image = (await files.UploadFileAsync(BinaryData.FromBytes(png), "pixel.png", OpenAI.Files.FileUploadPurpose.Vision)).Value;
        var report = (await files.UploadFileAsync(BinaryData.FromBytes(pdf), "report.pdf", OpenAI.Files.FileUploadPurpose.UserData)).Value;
        var marker = Guid.NewGuid().ToString("N")[..12];
        var message = ResponseItem.CreateUserMessageItem(
        [
            ResponseContentPart.CreateInputTextPart($"read these {marker}"),
            ResponseContentPart.CreateInputImagePart(image.Id, ResponseImageDetailLevel.Low),
            ResponseContentPart.CreateInputFilePart(report.Id),
            ResponseContentPart.CreateInputFilePart(BinaryData.FromString("hello"), "text/plain", "notes.txt"),
        ]);

        ResponseResult response = await Sdk().CreateResponseAsync(new CreateResponseOptions(BerthStack.ScriptedModelName, [message]));

        Assert.Equal(ResponseStatus.Completed, response.Status);
        var sent = _stack.Model.Requests.Last(r => r.LastUserText.Contains(marker, StringComparison.Ordinal)).Raw.GetProperty("messages").EnumerateArray().Last()
            .GetProperty("content").EnumerateArray().ToList();
        Assert.Equal(["text", "image_url", "file", "file"], sent.Select(p => p.GetProperty("type").GetString()));
        Assert.Equal($"data:image/png;base64,{TinyPng}", sent[1].GetProperty("image_url").GetProperty("url").GetString());
        Assert.Equal(("report.pdf", $"data:application/pdf;base64,{Convert.ToBase64String(pdf)}"),
            (sent[2].GetProperty("file").GetProperty("filename").GetString(), sent[2].GetProperty("file").GetProperty("file_data").GetString()));
        Assert.Equal(("notes.txt", "data:text/plain;base64,aGVsbG8="),
            (sent[3].GetProperty("file").GetProperty("filename").GetString(), sent[3].GetProperty("file").GetProperty("file_data").GetString()));

        var listed = new List<ResponseItem>();
        await foreach (var item in Sdk().GetResponseInputItemsAsync(response.Id))
        {
            listed.Add(item);
        }

        var parts = ((MessageResponseItem)Assert.Single(listed)).Content;
        Assert.Equal(image.Id, parts[1].InputImageFileId);
        Assert.Equal((report.Id, "report.pdf"), (parts[2].InputFileId, parts[2].InputFilename));
        Assert.Equal(("notes.txt", "hello"), (parts[3].InputFilename, parts[3].InputFileBytes.ToString()));
    }

    [Fact]
    public async Task Should_refuse_an_unknown_file_an_image_that_is_none_and_a_deleted_one_before_anything_is_queued()
    {
        var files = new OpenAI.Files.OpenAIFileClient(new System.ClientModel.ApiKeyCredential("not-checked-here"),
            new OpenAI.OpenAIClientOptions { Endpoint = new Uri(_stack.Http.BaseAddress!.ToString().TrimEnd('/')) });
        var text = (await files.UploadFileAsync(BinaryData.FromString("not an image"), "cat.png", OpenAI.Files.FileUploadPurpose.Vision)).Value;
        var deleted = (await files.UploadFileAsync(BinaryData.FromString("%PDF-1.4"), "gone.pdf", OpenAI.Files.FileUploadPurpose.UserData)).Value;
        await files.DeleteFileAsync(deleted.Id);
        string Body(string part) => $$"""{ "model": "{{BerthStack.ScriptedModelName}}", "input": [ { "role": "user", "content": [ { "type": "input_text", "text": "look" }, {{part}} ] } ] }""";
        var asked = _stack.Model.Requests.Count;

        var (unknown, unknownBody) = await _api.PostRawAsync(Body("""{ "type": "input_file", "file_id": "file-00000000000000000000000000000000" }"""));
        var (notImage, notImageBody) = await _api.PostRawAsync(Body($$"""{ "type": "input_image", "file_id": "{{text.Id}}" }"""));
        var (gone, goneBody) = await _api.PostRawAsync(Body($$"""{ "type": "input_file", "file_id": "{{deleted.Id}}" }"""));

        Assert.Equal((HttpStatusCode.BadRequest, "input[0].content[1].file_id"), (unknown, unknownBody.GetProperty("error").GetProperty("param").GetString()));
        Assert.Equal((HttpStatusCode.BadRequest, "input[0].content[1].file_id"), (notImage, notImageBody.GetProperty("error").GetProperty("param").GetString()));
        Assert.Contains("not a PNG, JPEG, GIF or WebP image", notImageBody.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.BadRequest, "input[0].content[1].file_id"), (gone, goneBody.GetProperty("error").GetProperty("param").GetString()));
        Assert.Equal(asked, _stack.Model.Requests.Count);
    }

    /// <summary>A PNG of one pixel.</summary>
    private const string TinyPng = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("order=sideways", "order")]
    [InlineData("after=msg%2F..%2F..", "after")]
    [InlineData("include=file_search_call.results", "include")]
    [InlineData("include[]=message.input_image.image_url&include[]=reasoning.encrypted_content", "include")]
    public async Task Should_answer_400_naming_the_parameter_when_an_input_items_query_is_hostile(string query, string param)
    {
        var response = await _api.CreateAsync(new { model = "berth-scripted", input = "hello" });

        var (status, body) = await ListAsync(response.Id(), query);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(param, body.GetProperty("error").GetProperty("param").GetString());
        var (longStatus, longBody) = await ListAsync(response.Id(), $"after={new string('a', 129)}");
        Assert.Equal((HttpStatusCode.BadRequest, "after"), (longStatus, longBody.GetProperty("error").GetProperty("param").GetString()));
    }

    [Fact]
    public async Task Should_delete_a_finished_response_with_its_items_and_refuse_one_still_running()
    {
        var finished = await _api.CreateAsync(new { model = "berth-scripted", input = "remember me" });

        var deleted = (await Sdk().DeleteResponseAsync(finished.Id())).Value;

        Assert.True(deleted.Deleted);
        Assert.Equal(finished.Id(), deleted.ResponseId);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetAsync(finished.Id())).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await ListAsync(finished.Id(), "")).Status);
        var (status, body) = await _api.PostRawAsync(JsonSerializer.Serialize(new { model = "berth-scripted", input = "and now?", previous_response_id = finished.Id() }));
        Assert.Equal((HttpStatusCode.BadRequest, "previous_response_not_found"), (status, body.GetProperty("error").GetProperty("code").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await DeleteAsync(finished.Id())).Status);

        var running = await _api.CreateAsync(ResponsesApi.ShellRequest("sleep 60", background: true));
        await _api.WaitUntilCallsSentAsync(running.Id());
        var (refused, why) = await DeleteAsync(running.Id());
        Assert.Equal((HttpStatusCode.BadRequest, "response_not_finished"), (refused, why.GetProperty("error").GetProperty("code").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync(running.Id())).Status);

        await Sdk().CancelResponseAsync(running.Id());
        await _api.WaitUntilFinishedAsync(running.Id());
        Assert.Equal(HttpStatusCode.OK, (await DeleteAsync(running.Id())).Status);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> ListAsync(string responseId, string query)
    {
        using var response = await _stack.Http.GetAsync($"responses/{responseId}/input_items?{query}");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> DeleteAsync(string responseId)
    {
        using var response = await _stack.Http.DeleteAsync($"responses/{responseId}");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static CreateResponseOptions WithWeather(CreateResponseOptions options)
    {
        options.Tools.Add(ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString(Weather), strictModeEnabled: true));
        return options;
    }

    private static Dictionary<string, object?> Request(object input, bool withShell) => new()
    {
        ["model"] = "berth-scripted",
        ["input"] = input,
        ["tools"] = withShell
            ? new object[] { new { type = "shell", environment = new { type = "container_auto" } }, new { type = "function", name = "get_weather", parameters = JsonDocument.Parse(Weather).RootElement, strict = true } }
            : new object[] { new { type = "function", name = "get_weather", parameters = JsonDocument.Parse(Weather).RootElement, strict = true } },
    };
}
