using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.IntegrationTests.EndToEnd;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.Faults;

/// <summary>
/// Restore after expiry (<c>Executor__SnapshotOnExpiry</c>) through the real stack: a container is
/// removed for idleness, its workspace kept, and the next response gets a new container with its
/// files instead of <c>container_expired</c>: along a session's chain, and in a container of
/// <c>POST /v1/containers</c> named again.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class ExpiryRestoreTests
{
    private static readonly TimeSpan Ready = TimeSpan.FromSeconds(90);

    private readonly FaultStack _stack;
    private readonly ResponsesApi _api;
    private readonly ITestOutputHelper _output;

    public ExpiryRestoreTests(FaultStack stack, ITestOutputHelper output)
    {
        _stack = stack;
        _output = output;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_continue_with_its_files_and_skills_in_a_restored_container_when_a_session_or_named_container_expired_with_its_workspace_kept()
    {
        // The shortest idle limit there is, swept every second; under an id of its own, so that
        // its containers are this test's to remove and no other test's executor's.
        var id = $"expiry-{Guid.NewGuid().ToString("N")[..8]}";
        try
        {
            await using var executor = _stack.StartExecutor("expiry-keep", ("Executor__InstanceId", id),
                ("Executor__SnapshotOnExpiry", "true"), ("Executor__IdleMinutes", "1"), ("Executor__SweepSeconds", "1"), ("Executor__WarmContainers", "0"));
            await executor.WaitUntilReadyAsync(Ready);
            var (first, firstHost) = await StartSessionAsync();
            var named = await StartNamedContainerAsync();

            // An inline skill's bundle lives only as long as payloads in flight (30 minutes), much
            // less than a kept workspace: by the time a container is made again, it is gone.
            await InlineSkills.OutliveBundlesAsync(_stack);

            // Both wait out the same idle minute.
            await Task.WhenAll(ContinueAfterExpiryAsync(first, firstHost), NameAgainAfterExpiryAsync(named));
        }
        finally
        {
            await _stack.Docker.RemoveContainersOfAsync(id);
        }
    }

    private async Task<(JsonElement First, string? Host)> StartSessionAsync()
    {
        var first = await _api.CreateAsync(new Dictionary<string, object?>
        {
            ["model"] = "berth-scripted",
            ["input"] = "echo kept > notes.txt && cat /etc/hostname",
            ["tools"] = new[] { new { type = "shell", environment = new { type = "container_auto", skills = new[] { InlineSkills.Notes } } } },
        });
        Assert.Equal("completed", first.Status());
        return (first, first.CommandOutputs().Single().GetProperty("stdout").GetString());
    }

    private async Task<string> StartNamedContainerAsync()
    {
        using var created = await _stack.Http.PostAsJsonAsync("containers", new { name = "kept", expires_after = new { anchor = "last_active_at", minutes = 1 }, skills = new[] { InlineSkills.Notes } });
        var containerId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var wrote = await _api.CreateAsync(ResponsesApi.InContainer("echo named > notes.txt", containerId));
        Assert.Equal("completed", wrote.Status());
        return containerId;
    }

    private async Task ContinueAfterExpiryAsync(JsonElement first, string? firstHost)
    {
        // The session's container record goes when the container does; its snapshot stays.
        var clock = Stopwatch.StartNew();
        await Eventually.TrueAsync(async () => await SessionContainerGoneAsync(first), TimeSpan.FromSeconds(150), "the idle container to be removed");
        _output.WriteLine($"the idle container was removed {clock.Elapsed.TotalSeconds:0} s after its response");

        var next = await _api.CreateAsync(ResponsesApi.ShellRequest("cat notes.txt /etc/hostname\ncat /mnt/skills/notes/SKILL.md", previousResponseId: first.Id()));

        Assert.Equal("completed", next.Status());
        var outputs = next.CommandOutputs().Select(o => o.GetProperty("stdout").GetString()!).ToList();
        Assert.StartsWith("kept\n", outputs[0], StringComparison.Ordinal);
        Assert.NotEqual(firstHost, outputs[0]["kept\n".Length..]);
        Assert.Contains("Take notes.", outputs[1], StringComparison.Ordinal);

        // The new container says where its files came from; the snapshot is listed with it.
        var listed = await _stack.Http.GetFromJsonAsync<JsonElement>("containers?limit=100");
        var restored = Assert.Single(listed.GetProperty("data").EnumerateArray(), c => c.GetProperty("name").GetString() == "auto" && c.TryGetProperty("restored_from", out _));
        var snapshotId = restored.GetProperty("restored_from").GetString()!;
        Assert.StartsWith("snap_", snapshotId, StringComparison.Ordinal);
    }

    /// <summary>Whether the session of the response no longer has a running container listed.</summary>
    private async Task<bool> SessionContainerGoneAsync(JsonElement response)
    {
        var listed = await _stack.Http.GetFromJsonAsync<JsonElement>("containers?limit=100");
        var created = response.GetProperty("created_at").GetInt64();
        return !listed.GetProperty("data").EnumerateArray().Any(c =>
            c.GetProperty("name").GetString() == "auto" && c.GetProperty("status").GetString() == "running" && c.GetProperty("created_at").GetInt64() >= created - 1);
    }

    private async Task NameAgainAfterExpiryAsync(string containerId)
    {
        await Eventually.TrueAsync(async () => (await ContainerAsync(containerId)).GetProperty("status").GetString() == "expired",
            TimeSpan.FromSeconds(150), "the idle named container to expire");

        // Until a response names it, it is expired, and its files say where they are.
        using var files = await _stack.Http.GetAsync($"containers/{containerId}/files");
        var refused = await files.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.BadRequest, files.StatusCode);
        Assert.Contains("kept as snapshot 'snap_", refused.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

        var read = await _api.CreateAsync(ResponsesApi.InContainer("cat notes.txt\ncat /mnt/skills/notes/SKILL.md", containerId));

        Assert.Equal("completed", read.Status());
        var outputs = read.CommandOutputs().Select(o => o.GetProperty("stdout").GetString()!).ToList();
        Assert.Equal("named\n", outputs[0]);
        Assert.Contains("Take notes.", outputs[1], StringComparison.Ordinal);
        var container = await ContainerAsync(containerId);
        Assert.Equal("running", container.GetProperty("status").GetString());
        var snapshotId = container.GetProperty("restored_from").GetString()!;
        var snapshots = await _stack.Http.GetFromJsonAsync<JsonElement>($"containers/{containerId}/snapshots");
        Assert.Contains(snapshots.GetProperty("data").EnumerateArray(), s => s.GetProperty("id").GetString() == snapshotId);
    }

    private Task<JsonElement> ContainerAsync(string containerId) => _stack.Http.GetFromJsonAsync<JsonElement>($"containers/{containerId}");
}
