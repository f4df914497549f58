using System.Net;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// <c>fork: true</c> (a Berth extension) through the real stack: new sessions that continue one
/// response, each in a container of its own that starts as a copy of the response's files.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ForkTests
{
    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public ForkTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    private static Dictionary<string, object?> Continue(string command, string previousResponseId, bool fork = true) => new()
    {
        ["model"] = "berth-scripted",
        ["input"] = command,
        ["tools"] = new[] { new { type = "shell", environment = new { type = "container_auto" } } },
        ["previous_response_id"] = previousResponseId,
        ["fork"] = fork,
    };

    private static string Stdout(JsonElement response) => response.CommandOutputs().Single().GetProperty("stdout").GetString()!;

    [Fact]
    public async Task Should_give_a_fork_the_skills_of_its_parents_container_when_their_bundles_are_gone()
    {
        var parent = await _api.CreateAsync(new Dictionary<string, object?>
        {
            ["model"] = "berth-scripted",
            ["input"] = "echo base > base.txt",
            ["tools"] = new[] { new { type = "shell", environment = new { type = "container_auto", skills = new[] { InlineSkills.Notes } } } },
        });
        Assert.Equal("completed", parent.Status());
        await InlineSkills.OutliveBundlesAsync(_stack);

        var fork = await _api.CreateAsync(Continue("cat base.txt /mnt/skills/notes/SKILL.md", parent.Id()));

        Assert.Equal("completed", fork.Status());
        Assert.StartsWith("base\n", Stdout(fork), StringComparison.Ordinal);
        Assert.Contains("Take notes.", Stdout(fork), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_give_each_fork_a_copy_of_the_files_and_keep_what_each_writes_from_the_other_and_the_parent()
    {
        var parent = await _api.CreateAsync(ResponsesApi.ShellRequest("echo base > base.txt"));
        Assert.Equal("completed", parent.Status());

        var first = await _api.CreateAsync(Continue("echo a > a.txt && ls", parent.Id()));
        var second = await _api.CreateAsync(Continue("echo b > b.txt && ls", parent.Id()));

        Assert.Equal("a.txt\nbase.txt\n", Stdout(first));
        Assert.Equal("b.txt\nbase.txt\n", Stdout(second));

        // Each fork goes on in its own container, and the parent's session in its own.
        Assert.Equal("a.txt\nbase.txt\n", Stdout(await _api.CreateAsync(Continue("ls", first.Id(), fork: false))));
        Assert.Equal("b.txt\nbase.txt\n", Stdout(await _api.CreateAsync(Continue("ls", second.Id(), fork: false))));
        Assert.Equal("base.txt\n", Stdout(await _api.CreateAsync(Continue("ls", parent.Id(), fork: false))));
    }

    [Theory]
    [InlineData("""{"model":"berth-scripted","input":"true","fork":true}""", "invalid_value")]
    [InlineData("""{"model":"berth-scripted","input":"true","fork":"yes","previous_response_id":"resp_0123456789abcdef0123456789abcdef"}""", "invalid_type")]
    [InlineData("""{"model":"berth-scripted","input":"true","fork":true,"interrupt":true,"previous_response_id":"resp_0123456789abcdef0123456789abcdef"}""", "mutually_exclusive_parameters")]
    [InlineData("""{"model":"berth-scripted","input":"true","fork":true,"previous_response_id":"resp_0123456789abcdef0123456789abcdef","tools":[{"type":"shell","environment":{"type":"container_reference","container_id":"cntr_0123456789abcdef0123456789abcdef"}}]}""", "invalid_value")]
    public async Task Should_refuse_a_fork_that_names_nothing_to_fork_or_also_asks_for_something_it_cannot_be(string body, string code)
    {
        var (status, answer) = await _api.PostRawAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("fork", answer.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal(code, answer.GetProperty("error").GetProperty("code").GetString());
    }
}
