using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// Workspace snapshots (a Berth extension) through the real stack: a container's files kept as a
/// snapshot, the container deleted, and a new container started from the snapshot.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class WorkspaceSnapshotsApiTests
{
    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public WorkspaceSnapshotsApiTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    private HttpClient Http => _stack.Http;

    private async Task<JsonElement> CreateContainerAsync(object body)
    {
        using var created = await Http.PostAsJsonAsync("containers", body);
        var container = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(created.IsSuccessStatusCode, container.ToString());
        return container;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SnapshotAsync(string containerId)
    {
        using var made = await Http.PostAsync($"containers/{containerId}/snapshots", null);
        return (made.StatusCode, await made.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task Should_start_a_new_container_with_the_files_of_a_snapshot_taken_before_the_old_one_was_deleted()
    {
        var old = (await CreateContainerAsync(new { name = "before" })).GetProperty("id").GetString()!;
        var wrote = await _api.CreateAsync(ResponsesApi.InContainer("mkdir -p notes/deep && echo kept > notes/deep/a.txt && printf 'x' > top.txt && ln -s /etc/passwd link", old));
        Assert.Equal("completed", wrote.Status());

        var (status, snapshot) = await SnapshotAsync(old);
        Assert.Equal(HttpStatusCode.OK, status);
        var snapshotId = snapshot.GetProperty("id").GetString()!;
        Assert.StartsWith("snap_", snapshotId, StringComparison.Ordinal);
        Assert.Equal("container.snapshot", snapshot.GetProperty("object").GetString());
        Assert.Equal(old, snapshot.GetProperty("container_id").GetString());
        Assert.True(snapshot.GetProperty("bytes").GetInt64() > 0);
        Assert.True(snapshot.GetProperty("expires_at").GetInt64() > snapshot.GetProperty("created_at").GetInt64());

        var listed = await Http.GetFromJsonAsync<JsonElement>($"containers/{old}/snapshots");
        Assert.Equal([snapshotId], listed.GetProperty("data").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(snapshotId, (await Http.GetFromJsonAsync<JsonElement>($"containers/{old}/snapshots/{snapshotId}")).GetProperty("id").GetString());

        using (var deleted = await Http.DeleteAsync($"containers/{old}"))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        var restored = await CreateContainerAsync(new { name = "after", from_snapshot = snapshotId });
        Assert.Equal(snapshotId, restored.GetProperty("restored_from").GetString());
        var read = await _api.CreateAsync(ResponsesApi.InContainer("cat notes/deep/a.txt top.txt; ls", restored.GetProperty("id").GetString()!));
        var output = read.CommandOutputs().Single();

        // The files came back; the link, which is no regular file, was never taken.
        Assert.Equal("kept\nxnotes\ntop.txt\n", output.GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task Should_refuse_a_snapshot_over_the_cap_and_keep_the_container_as_it_was()
    {
        var id = (await CreateContainerAsync(new { name = "big" })).GetProperty("id").GetString()!;
        await _api.CreateAsync(ResponsesApi.InContainer("head -c 3000000 /dev/urandom > big.bin", id));

        var (status, body) = await SnapshotAsync(id);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("snapshot_too_large", body.GetProperty("error").GetProperty("code").GetString());
        var listed = await Http.GetFromJsonAsync<JsonElement>($"containers/{id}/snapshots");
        Assert.Empty(listed.GetProperty("data").EnumerateArray());
        var still = await _api.CreateAsync(ResponsesApi.InContainer("wc -c < big.bin", id));
        Assert.Equal("3000000\n", still.CommandOutputs().Single().GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task Should_delete_a_snapshot_and_then_refuse_to_start_a_container_from_it()
    {
        var id = (await CreateContainerAsync(new { name = "gone" })).GetProperty("id").GetString()!;
        var (_, snapshot) = await SnapshotAsync(id);
        var snapshotId = snapshot.GetProperty("id").GetString()!;

        using (var deleted = await Http.DeleteAsync($"containers/{id}/snapshots/{snapshotId}"))
        {
            var body = await deleted.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
            Assert.Equal("container.snapshot.deleted", body.GetProperty("object").GetString());
        }

        using var again = await Http.GetAsync($"containers/{id}/snapshots/{snapshotId}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        using var from = await Http.PostAsJsonAsync("containers", new { name = "x", from_snapshot = snapshotId });
        var error = (await from.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(HttpStatusCode.BadRequest, from.StatusCode);
        Assert.Equal("from_snapshot", error.GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("\"snap_../../etc\"")]
    [InlineData("\"cntr_0123456789abcdef0123456789abcdef\"")]
    [InlineData("42")]
    public async Task Should_refuse_a_from_snapshot_that_is_no_snapshot_id_before_anything_is_made(string value)
    {
        using var content = new StringContent($$"""{"name":"x","from_snapshot":{{value}}}""", System.Text.Encoding.UTF8, "application/json");
        using var created = await Http.PostAsync("containers", content);

        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Equal("from_snapshot", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Should_refuse_a_list_cursor_that_is_no_snapshot_id_and_page_by_one_that_is()
    {
        var id = (await CreateContainerAsync(new { name = "paged" })).GetProperty("id").GetString()!;
        var (_, older) = await SnapshotAsync(id);
        var (_, newer) = await SnapshotAsync(id);

        foreach (var after in new[] { "snap_..%2F..%2Fx", "snap_0123456789ABCDEF0123456789ABCDEF", "cntr_0123456789abcdef0123456789abcdef", "%00", "snap_" + new string('a', 100_000) })
        {
            using var answer = await Http.GetAsync($"containers/{id}/snapshots?after={after}");
            var body = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestUriTooLong, $"{(int)answer.StatusCode} for after={after[..Math.Min(after.Length, 40)]}: {body[..Math.Min(body.Length, 200)]}");
            if (answer.StatusCode == HttpStatusCode.BadRequest)
            {
                Assert.Equal("after", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("param").GetString());
            }
        }

        // A page after the newer one holds the older one only: nothing was lost to the refused cursors.
        var page = await Http.GetFromJsonAsync<JsonElement>($"containers/{id}/snapshots?after={newer.GetProperty("id").GetString()}");
        var listed = Assert.Single(page.GetProperty("data").EnumerateArray());
        Assert.Equal(older.GetProperty("id").GetString(), listed.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Should_answer_404_for_a_snapshot_of_another_container_or_one_that_never_existed()
    {
        var first = (await CreateContainerAsync(new { name = "one" })).GetProperty("id").GetString()!;
        var second = (await CreateContainerAsync(new { name = "two" })).GetProperty("id").GetString()!;
        var (_, snapshot) = await SnapshotAsync(first);
        var snapshotId = snapshot.GetProperty("id").GetString()!;

        foreach (var path in new[] { $"containers/{second}/snapshots/{snapshotId}", $"containers/{first}/snapshots/snap_0123456789abcdef0123456789abcdef", $"containers/{first}/snapshots/snap_..%2F..%2Fx" })
        {
            using var answer = await Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        }

        using var none = await Http.PostAsync("containers/cntr_0123456789abcdef0123456789abcdef/snapshots", null);
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
    }
}
