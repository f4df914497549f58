using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;
using OpenAI.Containers;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// Two tenants on one api instance started with their keys: each sees only its own responses,
/// containers, files, streams and webhook endpoints, and another's look exactly like ids that
/// never existed.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class TenantIsolationTests
{
    private const string AcmeKey = "sk-berth-acme-5e4d3c2b1a09f8e7";
    private const string GlobexKey = "sk-berth-globex-9f8e7d6c5b4a3921";
    private const string CappedKey = "sk-berth-capped-1a2b3c4d5e6f7081";
    private const string BoxedKey = "sk-berth-boxed-7081a2b3c4d5e6f0";

    private const string NeverResponse = "resp_0123456789abcdef0123456789abcdef";
    private const string NeverContainer = "cntr_0123456789abcdef0123456789abcdef";
    private const string NeverEndpoint = "we_0123456789abcdef0123456789abcdef";

    private readonly BerthStack _stack;

    public TenantIsolationTests(BerthStack stack)
    {
        _stack = stack;
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_answer_another_tenants_ids_exactly_as_ids_that_never_existed()
    {
        await using var tenants = await Tenants.StartAsync(_stack, "api-tenants");
        var acme = new ResponsesApi(_stack, tenants.Acme);

        // Acme's objects: a response, a container with a file, a webhook endpoint.
        var response = await acme.CreateAsync(ResponsesApi.ShellRequest("echo acme-secret > note.txt"));
        var responseId = response.GetProperty("id").GetString()!;
        var containerId = (await PostJsonAsync(tenants.Acme, "containers", new { name = "acme box" })).GetProperty("id").GetString()!;
        using (var form = new MultipartFormDataContent())
        using (var data = new ByteArrayContent("acme-only\n"u8.ToArray()))
        {
            form.Add(data, "file", "plan.txt");
            using var uploaded = await tenants.Acme.PostAsync($"containers/{containerId}/files", form);
            Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        }

        var fileId = "cfile_" + System.Buffers.Text.Base64Url.EncodeToString("plan.txt"u8);
        var endpointId = (await PostJsonAsync(tenants.Acme, "webhook_endpoints", new { url = "http://127.0.0.1:9/hook" })).GetProperty("id").GetString()!;

        // Every way Globex could reach them answers as for an id that never existed.
        var probes = new (string What, Func<string, Task<HttpResponseMessage>> Send, string Mine, string Never)[]
        {
            ("read a response", id => tenants.Globex.GetAsync($"responses/{id}"), responseId, NeverResponse),
            ("stream a response", id => tenants.Globex.GetAsync($"responses/{id}?stream=true"), responseId, NeverResponse),
            ("cancel a response", id => tenants.Globex.PostAsync($"responses/{id}/cancel", null), responseId, NeverResponse),
            ("list a response's input items", id => tenants.Globex.GetAsync($"responses/{id}/input_items"), responseId, NeverResponse),
            ("delete a response", id => tenants.Globex.DeleteAsync($"responses/{id}"), responseId, NeverResponse),
            ("continue a response", id => tenants.Globex.PostAsJsonAsync("responses", ResponsesApi.ShellRequest("cat note.txt", previousResponseId: id)), responseId, NeverResponse),
            ("run in a container", id => tenants.Globex.PostAsJsonAsync("responses", ResponsesApi.InContainer("cat /mnt/data/plan.txt", id)), containerId, NeverContainer),
            ("read a container", id => tenants.Globex.GetAsync($"containers/{id}"), containerId, NeverContainer),
            ("delete a container", id => tenants.Globex.DeleteAsync($"containers/{id}"), containerId, NeverContainer),
            ("list a container's files", id => tenants.Globex.GetAsync($"containers/{id}/files"), containerId, NeverContainer),
            ("download a file", id => tenants.Globex.GetAsync($"containers/{id}/files/{fileId}/content"), containerId, NeverContainer),
            ("delete a file", id => tenants.Globex.DeleteAsync($"containers/{id}/files/{fileId}"), containerId, NeverContainer),
            ("upload a file", id => UploadAsync(tenants.Globex, id), containerId, NeverContainer),
            ("delete a webhook endpoint", id => tenants.Globex.DeleteAsync($"webhook_endpoints/{id}"), endpointId, NeverEndpoint),
            ("read its deliveries", id => tenants.Globex.GetAsync($"webhook_endpoints/{id}/deliveries"), endpointId, NeverEndpoint),
        };
        foreach (var (what, send, mine, never) in probes)
        {
            var (status, error) = await ErrorOfAsync(await send(mine));
            var (neverStatus, neverError) = await ErrorOfAsync(await send(never));
            Assert.True(status is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{what}: Globex got {(int)status} {error}");
            Assert.Equal((neverStatus, neverError.Replace(never, "ID", StringComparison.Ordinal)), (status, error.Replace(mine, "ID", StringComparison.Ordinal)));
        }

        // Lists leave them out.
        Assert.DoesNotContain(containerId, await IdsAsync(tenants.Globex, "containers"));
        Assert.DoesNotContain(endpointId, await IdsAsync(tenants.Globex, "webhook_endpoints"));

        // And Acme still has all of it, untouched by Globex's tries.
        var (_, mineAgain) = await acme.GetAsync(responseId);
        Assert.Equal("completed", mineAgain.Status());
        Assert.Equal(HttpStatusCode.OK, (await tenants.Acme.GetAsync($"responses/{responseId}/input_items")).StatusCode);
        var next = await acme.CreateAsync(ResponsesApi.ShellRequest("cat note.txt", previousResponseId: responseId));
        Assert.Equal("acme-secret\n", next.CommandOutputs()[0].GetProperty("stdout").GetString());
        Assert.Equal("acme-only\n", await tenants.Acme.GetStringAsync($"containers/{containerId}/files/{fileId}/content"));
        Assert.Contains(containerId, await IdsAsync(tenants.Acme, "containers"));
        Assert.Contains(endpointId, await IdsAsync(tenants.Acme, "webhook_endpoints"));

        // The tenant without keys (the shared api) sees none of it either.
        using var local = await _stack.Http.GetAsync($"responses/{responseId}");
        Assert.Equal(HttpStatusCode.NotFound, local.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await tenants.Acme.DeleteAsync($"webhook_endpoints/{endpointId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tenants.Acme.DeleteAsync($"containers/{containerId}")).StatusCode);
    }

    [Fact]
    public async Task Should_deliver_a_tenants_webhooks_only_to_its_own_endpoints()
    {
        await using var tenants = await Tenants.StartAsync(_stack, "api-tenant-hooks");
        await using var acmeReceiver = await WebhookReceiver.StartAsync(failFirst: 0);
        await using var globexReceiver = await WebhookReceiver.StartAsync(failFirst: 0);
        var acmeEndpoint = await PostJsonAsync(tenants.Acme, "webhook_endpoints", new { url = acmeReceiver.Url });
        var globexEndpoint = await PostJsonAsync(tenants.Globex, "webhook_endpoints", new { url = globexReceiver.Url });

        var acmeResponse = (await new ResponsesApi(_stack, tenants.Acme).CreateAsync(ResponsesApi.ShellRequest("echo for acme"))).GetProperty("id").GetString()!;
        var globexResponse = (await new ResponsesApi(_stack, tenants.Globex).CreateAsync(ResponsesApi.ShellRequest("echo for globex"))).GetProperty("id").GetString()!;

        await Eventually.TrueAsync(() => Task.FromResult(ResponseIds(acmeReceiver).Contains(acmeResponse) && ResponseIds(globexReceiver).Contains(globexResponse)),
            TimeSpan.FromSeconds(30), $"each receiver to have its tenant's event; {_stack.Logs}");

        // A second more for any stray delivery to land, then each has heard its own tenant only.
        await Task.Delay(1000);
        Assert.Equal([acmeResponse], ResponseIds(acmeReceiver));
        Assert.Equal([globexResponse], ResponseIds(globexReceiver));

        await tenants.Acme.DeleteAsync($"webhook_endpoints/{acmeEndpoint.GetProperty("id").GetString()}");
        await tenants.Globex.DeleteAsync($"webhook_endpoints/{globexEndpoint.GetProperty("id").GetString()}");

        static List<string> ResponseIds(WebhookReceiver receiver) =>
            [.. receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("id").GetString()!).Distinct()];
    }

    [Fact]
    public async Task Should_answer_429_when_a_tenant_is_at_its_session_limit_and_still_take_the_running_sessions_next_turn()
    {
        // The shared planner caps tenant "capped" at one running session.
        await using var tenants = await Tenants.StartAsync(_stack, "api-tenant-sessions");
        var capped = new ResponsesApi(_stack, tenants.Capped);

        var running = await capped.CreateAsync(ResponsesApi.ShellRequest("[timeout_ms=60000] sleep 45", background: true));
        var runningId = running.GetProperty("id").GetString()!;

        using (var refused = await tenants.Capped.PostAsJsonAsync("responses", ResponsesApi.ShellRequest("echo a second session")))
        {
            var (status, error) = await ErrorOfAsync(refused);
            Assert.Equal(HttpStatusCode.TooManyRequests, status);
            Assert.Contains("rate_limit_exceeded", error, StringComparison.Ordinal);
            Assert.Contains("the limit is 1", error, StringComparison.Ordinal);
        }

        // The same session's next turn queues behind the running one; other tenants are not capped.
        var queued = await capped.CreateAsync(ResponsesApi.ShellRequest("echo next turn", previousResponseId: runningId, background: true));
        var other = await new ResponsesApi(_stack, tenants.Acme).CreateAsync(ResponsesApi.ShellRequest("echo not capped"));
        Assert.Equal("completed", other.Status());

        // Once the session has finished its work, a new one is let in.
        Assert.Equal(HttpStatusCode.OK, (await tenants.Capped.PostAsync($"responses/{runningId}/cancel", null)).StatusCode);
        Assert.Equal("completed", (await capped.WaitUntilFinishedAsync(queued.GetProperty("id").GetString()!)).Status());
        var admitted = await capped.CreateAsync(ResponsesApi.ShellRequest("echo a second session"));
        Assert.Equal("completed", admitted.Status());
    }

    [Fact]
    public async Task Should_answer_429_container_limit_exceeded_when_a_tenant_holds_its_limit_counting_its_sessions_own()
    {
        // The shared planner lets tenant "boxed" hold one container.
        await using var tenants = await Tenants.StartAsync(_stack, "api-tenant-containers");
        var boxed = new ResponsesApi(_stack, tenants.Boxed);
        var containers = new ContainerClient(new ApiKeyCredential(BoxedKey), new ContainerClientOptions { Endpoint = tenants.BaseAddress });

        // A session's first call makes its container, which is listed like one made by POST /v1/containers.
        var first = await boxed.CreateAsync(ResponsesApi.ShellRequest("echo kept > note.txt"));
        Assert.Equal("completed", first.Status());
        var listed = new List<ContainerResource>();
        await foreach (var container in containers.GetContainersAsync())
        {
            listed.Add(container);
        }

        var own = Assert.Single(listed);
        Assert.Equal(("auto", "running"), (own.Name, own.Status));

        // It counts: neither a new container nor a new session that would make one is let in.
        var refused = await Assert.ThrowsAsync<ClientResultException>(() => containers.CreateContainerAsync(new ContainerCreationOptions("second")));
        Assert.Equal(429, refused.Status);
        Assert.Contains("container_limit_exceeded", refused.Message, StringComparison.Ordinal);
        using (var second = await tenants.Boxed.PostAsJsonAsync("responses", ResponsesApi.ShellRequest("echo a second session")))
        {
            var (status, error) = await ErrorOfAsync(second);
            Assert.Equal(HttpStatusCode.TooManyRequests, status);
            Assert.Contains("container_limit_exceeded", error, StringComparison.Ordinal);
        }

        // The session goes on in the container it has; once its tenant deletes it, there is room again.
        var next = await boxed.CreateAsync(ResponsesApi.ShellRequest("cat note.txt", previousResponseId: first.GetProperty("id").GetString()));
        Assert.Equal("kept\n", next.CommandOutputs().Single().GetProperty("stdout").GetString());
        Assert.True((await containers.DeleteContainerAsync(own.Id)).Value.Deleted);
        ContainerResource made = await containers.CreateContainerAsync(new ContainerCreationOptions("second"));
        Assert.Equal("running", made.Status);
        await containers.DeleteContainerAsync(made.Id);
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient http, string containerId)
    {
        using var form = new MultipartFormDataContent();
        using var data = new ByteArrayContent("globex\n"u8.ToArray());
        form.Add(data, "file", "plan.txt");
        return await http.PostAsync($"containers/{containerId}/files", form);
    }

    private static async Task<JsonElement> PostJsonAsync(HttpClient http, string path, object body)
    {
        using var answer = await http.PostAsJsonAsync(path, body);
        var text = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.IsSuccessStatusCode, $"POST {path} answered {(int)answer.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<(HttpStatusCode Status, string Error)> ErrorOfAsync(HttpResponseMessage answer)
    {
        using (answer)
        {
            var text = await answer.Content.ReadAsStringAsync();
            return (answer.StatusCode, JsonDocument.Parse(text).RootElement.GetProperty("error").GetRawText());
        }
    }

    private static async Task<List<string>> IdsAsync(HttpClient http, string path)
    {
        var list = JsonDocument.Parse(await http.GetStringAsync(path)).RootElement;
        return [.. list.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()!)];
    }

    /// <summary>An api instance with four tenants' keys, and a client for each.</summary>
    private sealed class Tenants : IAsyncDisposable
    {
        private ServiceProcess _api = null!;

        public HttpClient Acme { get; private set; } = null!;
        public HttpClient Globex { get; private set; } = null!;
        public HttpClient Capped { get; private set; } = null!;
        public HttpClient Boxed { get; private set; } = null!;
        public Uri BaseAddress { get; private set; } = null!;

        public static async Task<Tenants> StartAsync(BerthStack stack, string name)
        {
            var (api, http) = await stack.StartApiAsync(name, ("BERTH_API_KEYS", $"acme:{AcmeKey},globex:{GlobexKey},capped:{CappedKey},boxed:{BoxedKey}"));
            var baseAddress = http.BaseAddress!;
            http.Dispose();
            return new Tenants
            {
                _api = api,
                BaseAddress = new Uri(baseAddress.ToString().TrimEnd('/')),
                Acme = Client(baseAddress, AcmeKey),
                Globex = Client(baseAddress, GlobexKey),
                Capped = Client(baseAddress, CappedKey),
                Boxed = Client(baseAddress, BoxedKey),
            };
        }

        public async ValueTask DisposeAsync()
        {
            Acme.Dispose();
            Globex.Dispose();
            Capped.Dispose();
            Boxed.Dispose();
            await _api.DisposeAsync();
        }

        private static HttpClient Client(Uri baseAddress, string key)
        {
            var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return client;
        }
    }
}
