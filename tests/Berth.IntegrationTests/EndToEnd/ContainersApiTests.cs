using System.ClientModel;
using System.Net;
using Berth.IntegrationTests.Fixtures;
using OpenAI.Containers;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>The Containers API through the official OpenAI .NET SDK's container client, and responses run in such a container.</summary>
[Collection(StackCollection.Name)]
public sealed class ContainersApiTests
{
    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public ContainersApiTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    private ContainerClient Sdk() => new(new ApiKeyCredential("not-checked-yet"), new ContainerClientOptions
    {
        Endpoint = new Uri(_stack.ApiBaseUrl.ToString().TrimEnd('/')),
    });

    [Fact]
    public async Task Should_create_use_list_and_delete_a_container()
    {
        var client = Sdk();
        ContainerResource container = await client.CreateContainerAsync(new ContainerCreationOptions("build box"));
        Assert.StartsWith("cntr_", container.Id, StringComparison.Ordinal);
        Assert.Equal("running", container.Status);
        Assert.Equal("build box", container.Name);

        // Two independent responses (no chain) share the container's files.
        var writer = await _api.CreateAsync(ResponsesApi.InContainer("echo shared > /mnt/data/state.txt", container.Id));
        Assert.Equal("completed", writer.Status());
        var reader = await _api.CreateAsync(ResponsesApi.InContainer("cat state.txt", container.Id));
        Assert.Equal("shared\n", reader.CommandOutputs().Single().GetProperty("stdout").GetString());
        Assert.Equal("container_reference", reader.GetProperty("tools")[0].GetProperty("environment").GetProperty("type").GetString());

        ContainerResource fetched = await client.GetContainerAsync(container.Id);
        Assert.Equal(container.Id, fetched.Id);
        Assert.True(fetched.LastActiveAt >= container.CreatedAt);

        var listed = new List<string>();
        await foreach (var item in client.GetContainersAsync(new ContainerCollectionOptions { PageSizeLimit = 1 }))
        {
            listed.Add(item.Id);
        }

        Assert.Contains(container.Id, listed);
        Assert.Equal(listed.Distinct().Count(), listed.Count);

        ContainerDeletionResult deleted = await client.DeleteContainerAsync(container.Id);
        Assert.True(deleted.Deleted);
        var (status, _) = await GetRawAsync($"containers/{container.Id}");
        Assert.Equal(HttpStatusCode.NotFound, status);

        var (after, error) = await _api.PostRawAsync(System.Text.Json.JsonSerializer.Serialize(ResponsesApi.InContainer("ls", container.Id)));
        Assert.Equal(HttpStatusCode.BadRequest, after);
        Assert.Equal("container_not_found", error.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Should_upload_list_download_and_delete_files_including_those_the_agent_writes()
    {
        var client = Sdk();
        ContainerResource container = await client.CreateContainerAsync(new ContainerCreationOptions("files"));

        using var form = new MultipartFormDataContent();
        using var data = new ByteArrayContent("a,b\n1,2\n3,4\n"u8.ToArray());
        form.Add(data, "file", "data.csv");
        var upload = await client.UploadContainerFileAsync(container.Id, BinaryContent.Create(await form.ReadAsStreamAsync()), form.Headers.ContentType!.ToString());
        var uploaded = System.Text.Json.JsonDocument.Parse(upload.GetRawResponse().Content).RootElement;
        Assert.Equal("/mnt/data/data.csv", uploaded.GetProperty("path").GetString());
        Assert.Equal("user", uploaded.GetProperty("source").GetString());
        Assert.Equal(12, uploaded.GetProperty("bytes").GetInt64());

        var run = await _api.CreateAsync(ResponsesApi.InContainer("wc -l < data.csv\nmkdir -p out && echo done > out/report.txt", container.Id));
        Assert.Equal("3\n", run.CommandOutputs()[0].GetProperty("stdout").GetString());

        var files = new List<ContainerFileResource>();
        await foreach (var file in client.GetContainerFilesAsync(new ContainerFileCollectionOptions(container.Id) { PageSizeLimit = 1 }))
        {
            files.Add(file);
        }

        Assert.Equal(["/mnt/data/data.csv", "/mnt/data/out/report.txt"], files.Select(f => f.Path).Order());
        var report = Assert.Single(files, f => f.Path.EndsWith("report.txt", StringComparison.Ordinal));
        Assert.Equal("assistant", report.Source);
        Assert.Equal("done\n", (await client.DownloadContainerFileAsync(container.Id, report.Id)).Value.ToString());
        ContainerFileResource metadata = await client.GetContainerFileAsync(container.Id, report.Id);
        Assert.Equal(5, metadata.SizeInBytes);

        var csv = Assert.Single(files, f => f.Path.EndsWith("data.csv", StringComparison.Ordinal));
        Assert.True((await client.DeleteContainerFileAsync(container.Id, csv.Id)).Value.Deleted);
        var (gone, _) = await GetRawAsync($"containers/{container.Id}/files/{csv.Id}");
        Assert.Equal(HttpStatusCode.NotFound, gone);

        await client.DeleteContainerAsync(container.Id);
    }

    [Fact]
    public async Task Should_refuse_paths_that_leave_the_data_directory()
    {
        var client = Sdk();
        ContainerResource container = await client.CreateContainerAsync(new ContainerCreationOptions("paths"));
        await _api.CreateAsync(ResponsesApi.InContainer("ln -s /etc /mnt/data/etc-link", container.Id));

        foreach (var path in new[] { "../etc/passwd", "etc-link/passwd" })
        {
            var id = "cfile_" + System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(path));
            var (status, body) = await GetRawAsync($"containers/{container.Id}/files/{id}/content");
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("invalid_path", body.GetProperty("error").GetProperty("code").GetString());
        }

        using var form = new MultipartFormDataContent();
        using var data = new ByteArrayContent("x"u8.ToArray());
        form.Add(data, "file", "../escape.txt");
        using var upload = await _stack.Http.PostAsync($"containers/{container.Id}/files", form);
        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);

        await client.DeleteContainerAsync(container.Id);
    }

    [Theory]
    [InlineData("{}", "name")]
    [InlineData("{\"name\": \"x\", \"memory_limit\": \"3g\"}", "memory_limit")]
    [InlineData("{\"name\": \"x\", \"memory_limit\": \"16g\"}", "memory_limit")]
    [InlineData("{\"name\": \"x\", \"skills\": [{\"type\": \"skill_reference\", \"skill_id\": \"skill_../x\"}]}", "skills[0].skill_id")]
    [InlineData("{\"name\": \"x\", \"expires_after\": {\"anchor\": \"created_at\", \"minutes\": 5}}", "expires_after.anchor")]
    [InlineData("{\"name\": \"x\", \"expires_after\": {\"anchor\": \"last_active_at\", \"minutes\": 0}}", "expires_after.minutes")]
    [InlineData("{\"name\": \"x\", \"colour\": \"red\"}", "colour")]
    public async Task Should_answer_400_naming_the_parameter_when_a_container_request_is_bad(string body, string param)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await _stack.Http.PostAsync("containers", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Should_answer_404_for_a_container_that_does_not_exist()
    {
        var (status, body) = await GetRawAsync("containers/cntr_missing");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Container with id 'cntr_missing' not found.", body.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Should_make_a_sessions_own_container_with_the_memory_limit_its_request_asked_for_and_keep_it_along_the_chain()
    {
        // cgroup v2 names the limit memory.max; v1, which Docker 20.10 may run on, memory.limit_in_bytes.
        const string readLimit = "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes";
        object Request(string input, string? memory, string? previous = null) => new Dictionary<string, object?>
        {
            ["model"] = "berth-scripted",
            ["input"] = input,
            ["tools"] = new[] { new { type = "shell", environment = new Dictionary<string, object?> { ["type"] = "container_auto", ["memory_limit"] = memory } } },
            ["previous_response_id"] = previous,
        };

        var first = await _api.CreateAsync(Request(readLimit, "1g"));
        var kept = await _api.CreateAsync(Request(readLimit, null, first.Id()));
        var (status, refusal) = await _api.PostRawAsync(System.Text.Json.JsonSerializer.Serialize(Request("echo more", "4g", first.Id())));
        var plain = await _api.CreateAsync(ResponsesApi.ShellRequest(readLimit));
        var (overStatus, over) = await _api.PostRawAsync(System.Text.Json.JsonSerializer.Serialize(Request("echo big", "16g")));

        Assert.Equal("1073741824\n", first.CommandOutputs().Single().GetProperty("stdout").GetString());
        Assert.Equal("1073741824\n", kept.CommandOutputs().Single().GetProperty("stdout").GetString());
        Assert.Equal((System.Net.HttpStatusCode.BadRequest, "tools"), (status, refusal.GetProperty("error").GetProperty("param").GetString()));
        Assert.NotEqual("1073741824\n", plain.CommandOutputs().Single().GetProperty("stdout").GetString());

        // Above the deployment's ceiling (Api:MaxMemoryMb, 4g by default) is refused, not quietly made smaller.
        Assert.Equal((System.Net.HttpStatusCode.BadRequest, "tools[0].environment.memory_limit"), (overStatus, over.GetProperty("error").GetProperty("param").GetString()));
        Assert.Contains("'1g', '4g'", over.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Should_refuse_a_list_cursor_that_is_no_container_id_and_list_nothing_after_an_unknown_one()
    {
        var (refused, error) = await GetRawAsync($"containers?after={Uri.EscapeDataString("cntr_x\" || 1 == 1 || \"" + new string('a', 5000))}");
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal("after", error.GetProperty("error").GetProperty("param").GetString());

        var (listed, page) = await GetRawAsync("containers?after=cntr_0123456789abcdef0123456789abcdef");
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Empty(page.GetProperty("data").EnumerateArray());
        Assert.False(page.GetProperty("has_more").GetBoolean());
    }

    private async Task<(HttpStatusCode Status, System.Text.Json.JsonElement Body)> GetRawAsync(string path)
    {
        using var response = await _stack.Http.GetAsync(path);
        return (response.StatusCode, System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}
