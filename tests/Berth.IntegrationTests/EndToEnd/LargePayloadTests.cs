using System.ClientModel;
using System.Security.Cryptography;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;
using OpenAI.Containers;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// Files and responses larger than the broker takes in one message (RabbitMQ 4's 16 MiB, set on
/// the tests' broker too): they travel through the payload store, and arrive whole.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class LargePayloadTests
{
    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public LargePayloadTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_upload_and_download_a_file_larger_than_a_broker_message_whole_when_it_travels_out_of_band()
    {
        SkipUnlessTheBrokerLimitIsKnown();
        var client = new ContainerClient(new ApiKeyCredential("not-checked-yet"), new ContainerClientOptions { Endpoint = new Uri(_stack.ApiBaseUrl.ToString().TrimEnd('/')) });
        ContainerResource container = await client.CreateContainerAsync(new ContainerCreationOptions("large files"));

        // Another test's large model answer may still be in the store: a session reads one and leaves it to its time to live.
        var before = Payloads();
        var content = RandomNumberGenerator.GetBytes(20 * 1024 * 1024);
        Assert.True(content.Length > RabbitMqFixture.ProductionMaxMessageBytes);

        using var form = new MultipartFormDataContent();
        using var data = new ByteArrayContent(content);
        form.Add(data, "file", "big.bin");
        var upload = await client.UploadContainerFileAsync(container.Id, BinaryContent.Create(await form.ReadAsStreamAsync()), form.Headers.ContentType!.ToString());
        var uploaded = JsonDocument.Parse(upload.GetRawResponse().Content).RootElement;
        Assert.Equal(content.Length, uploaded.GetProperty("bytes").GetInt64());

        // The container holds exactly those bytes.
        var check = await RunInAsync(container.Id, "sha256sum big.bin");
        Assert.StartsWith(Convert.ToHexStringLower(SHA256.HashData(content)), check.CommandOutputs().Single().GetProperty("stdout").GetString(), StringComparison.Ordinal);

        var downloaded = await client.DownloadContainerFileAsync(container.Id, uploaded.GetProperty("id").GetString()!);
        Assert.True(content.AsSpan().SequenceEqual(downloaded.Value.ToMemory().Span), "The download differs from the upload.");

        // Read once, deleted: nothing stays in the store.
        await Eventually.TrueAsync(() => Task.FromResult(Payloads().IsSubsetOf(before)),
            TimeSpan.FromSeconds(10), "the upload's and the download's payloads to be deleted");
    }

    [Fact]
    public async Task Should_return_and_replay_a_response_whose_output_is_larger_than_a_broker_message()
    {
        SkipUnlessTheBrokerLimitIsKnown();

        // Five calls printing 2 MiB each, then a final message that repeats it all.
        var lines = string.Join('\n', Enumerable.Repeat("[max_output_length=1048576] yes a | head -c 1048576; yes b | head -c 1048576 >&2", 5));
        var response = await _api.CreateAsync(ResponsesApi.ShellRequest(lines));

        Assert.Equal("completed", response.Status());
        Assert.True(response.GetRawText().Length > RabbitMqFixture.ProductionMaxMessageBytes, $"The response has only {response.GetRawText().Length} characters.");
        var outputs = response.CommandOutputs();
        Assert.Equal(5, outputs.Count);
        Assert.All(outputs, output => Assert.StartsWith("a\na\n", output.GetProperty("stdout").GetString(), StringComparison.Ordinal));
        Assert.True(response.Text().Length > 5_000_000);

        var (status, fetched) = await _api.GetAsync(response.Id());
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        Assert.Equal(response.Text(), fetched.Text());

        // Replayed from its stored events, pages of which now travel out of band.
        using var replay = await _stack.Http.GetAsync($"responses/{response.Id()}?stream=true", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        var events = await StreamedEvent.ReadAsync(await replay.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("response.completed", events[^1].Type);
        Assert.Equal(response.Text(), string.Concat(events.Where(e => e.Type == "response.output_text.delta").Select(e => e.Data.GetProperty("delta").GetString())));
    }

    [Fact]
    public async Task Should_list_a_workspace_page_by_page_when_its_whole_listing_is_larger_than_a_broker_message()
    {
        SkipUnlessTheBrokerLimitIsKnown();
        var client = new ContainerClient(new ApiKeyCredential("not-checked-yet"), new ContainerClientOptions { Endpoint = new Uri(_stack.ApiBaseUrl.ToString().TrimEnd('/')) });
        ContainerResource container = await client.CreateContainerAsync(new ContainerCreationOptions("many files"));

        // 5,000 files whose paths are about 4,000 characters long: some 20 MB of listing.
        var made = await RunInAsync(container.Id,
            "[timeout_ms=120000] d=$(printf 'd%.0s' $(seq 250)); p=/mnt/data; for i in $(seq 15); do p=$p/$d; done; "
            + "mkdir -p $p && cd $p && for i in $(seq 5000); do printf -v n '%0250d' $i; : > $n; done; find /mnt/data -type f -printf '%p\\n' | wc -c");
        Assert.True(long.Parse(made.CommandOutputs().Single().GetProperty("stdout").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > RabbitMqFixture.ProductionMaxMessageBytes);

        var first = await ListAsync($"containers/{container.Id}/files?limit=100&order=asc");
        Assert.Equal(100, first.GetProperty("data").GetArrayLength());
        Assert.True(first.GetProperty("has_more").GetBoolean());
        var second = await ListAsync($"containers/{container.Id}/files?limit=100&order=asc&after={first.GetProperty("last_id").GetString()}");
        Assert.Equal(100, second.GetProperty("data").GetArrayLength());
        Assert.NotEqual(first.GetProperty("last_id").GetString(), second.GetProperty("data")[0].GetProperty("id").GetString());
    }

    private async Task<JsonElement> ListAsync(string path)
    {
        using var response = await _stack.Http.GetAsync(path, TestContext.Current.CancellationToken);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {body}");
        return body;
    }

    private HashSet<string> Payloads() =>
        Directory.Exists(_stack.PayloadDirectory) ? [.. Directory.EnumerateFiles(_stack.PayloadDirectory, "*", SearchOption.AllDirectories)] : [];

    private Task<JsonElement> RunInAsync(string containerId, string command) => _api.CreateAsync(ResponsesApi.InContainer(command, containerId));

    private void SkipUnlessTheBrokerLimitIsKnown() =>
        Assert.SkipWhen(_stack.RabbitMq.MaxMessageBytes is null,
            $"The broker's message size limit is unknown ({_stack.RabbitMq.Source}): these tests need RabbitMQ 4's 16 MiB, set with rabbitmqctl on a local broker.");
}
