using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// Sandbox images per container (a Berth extension): the operator lists images by name, a
/// response's <c>container_auto</c> or <c>POST /v1/containers</c> names one, and its session's
/// container is made from it by an executor that serves it.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class SandboxImagesTests
{
    /// <summary>Prints numpy's name where numpy is installed, which only the second image has.</summary>
    private const string NumpyCommand = "python3 -c 'import numpy; print(numpy.__name__)'";

    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public SandboxImagesTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    private static Dictionary<string, object?> ShellRequest(string command, object environment) => new()
    {
        ["model"] = "berth-scripted",
        ["input"] = command,
        ["tools"] = new[] { new { type = "shell", environment } },
    };

    /// <summary>A response whose <c>container_auto</c> has <paramref name="imageJson"/> as its <c>image</c>, written as given.</summary>
    private static string AutoWithImage(string imageJson) =>
        """{"model":"berth-scripted","input":"true","tools":[{"type":"shell","environment":{"type":"container_auto","image":""" + imageJson + "}}]}";

    [Fact]
    public async Task Should_run_a_command_only_its_image_has_when_a_session_names_the_second_image()
    {
        var missing = await DockerFixture.ScienceImageMissingAsync();
        Assert.SkipWhen(missing is not null, missing ?? "");

        var science = await _api.CreateAsync(ShellRequest(NumpyCommand, new { type = "container_auto", image = DockerFixture.ScienceImageName }));
        var plain = await _api.CreateAsync(ShellRequest(NumpyCommand, new { type = "container_auto" }));
        var named = await _api.CreateAsync(ShellRequest(NumpyCommand, new { type = "container_auto", image = "default" }));

        Assert.Equal("completed", science.Status());
        var output = science.CommandOutputs().Single();
        Assert.Equal("numpy\n", output.GetProperty("stdout").GetString());
        Assert.Equal(0, output.GetProperty("outcome").GetProperty("exit_code").GetInt32());

        foreach (var response in new[] { plain, named })
        {
            var without = response.CommandOutputs().Single();
            Assert.NotEqual(0, without.GetProperty("outcome").GetProperty("exit_code").GetInt32());
            Assert.Contains("No module named 'numpy'", without.GetProperty("stderr").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Should_make_a_container_of_the_second_image_and_show_its_image_when_one_is_created_with_it()
    {
        var missing = await DockerFixture.ScienceImageMissingAsync();
        Assert.SkipWhen(missing is not null, missing ?? "");

        using var created = await _stack.Http.PostAsJsonAsync("containers", new { name = "lab", image = DockerFixture.ScienceImageName });
        var container = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(created.IsSuccessStatusCode, container.ToString());
        Assert.Equal(DockerFixture.ScienceImageName, container.GetProperty("image").GetString());

        var id = container.GetProperty("id").GetString()!;
        var inside = await _api.CreateAsync(ShellRequest(NumpyCommand, new { type = "container_reference", container_id = id }));
        Assert.Equal("numpy\n", inside.CommandOutputs().Single().GetProperty("stdout").GetString());

        var fetched = await _stack.Http.GetFromJsonAsync<JsonElement>($"containers/{id}");
        Assert.Equal(DockerFixture.ScienceImageName, fetched.GetProperty("image").GetString());

        using var plain = await _stack.Http.PostAsJsonAsync("containers", new { name = "plain" });
        Assert.False((await plain.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("image", out _), "a container of the default image shows OpenAI's shape unchanged");
    }

    [Theory]
    [InlineData("\"nope\"", "invalid_value")]
    [InlineData("\"Science\"", "invalid_value")]
    [InlineData("\"../../etc/passwd\"", "invalid_value")]
    [InlineData("42", "invalid_type")]
    [InlineData("[\"science\"]", "invalid_type")]
    public async Task Should_refuse_an_image_that_is_not_on_the_list_by_name_and_make_nothing(string image, string code)
    {
        var (status, body) = await _api.PostRawAsync(AutoWithImage(image));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("tools[0].environment.image", body.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal(code, body.GetProperty("error").GetProperty("code").GetString());

        using var content = new StringContent($$"""{"name":"x","image":{{image}}}""", System.Text.Encoding.UTF8, "application/json");
        using var created = await _stack.Http.PostAsync("containers", content);
        var error = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Equal("image", error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Should_quote_at_most_a_short_part_of_a_huge_image_name_when_refusing_it()
    {
        var huge = new string('x', 100_000);
        var (status, body) = await _api.PostRawAsync(AutoWithImage($"\"{huge}\""));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var message = body.GetProperty("error").GetProperty("message").GetString()!;
        Assert.True(message.Length < 400, message);
        Assert.Contains("'default', 'science'", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_to_continue_a_session_on_another_image_when_a_continuation_names_one()
    {
        var first = await _api.CreateAsync(ShellRequest("true", new { type = "container_auto" }));

        var (status, body) = await _api.PostRawAsync(JsonSerializer.Serialize(new Dictionary<string, object?>(ShellRequest("true", new { type = "container_auto", image = DockerFixture.ScienceImageName }))
        {
            ["previous_response_id"] = first.Id(),
        }));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("keeps the image it was made from", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
