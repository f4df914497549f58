using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>Signed webhook callbacks through the real pipeline, to a receiver on loopback that fails before it accepts.</summary>
[Collection(StackCollection.Name)]
public sealed class WebhookTests
{
    private readonly BerthStack _stack;
    private readonly ResponsesApi _api;

    public WebhookTests(BerthStack stack)
    {
        _stack = stack;
        _api = new ResponsesApi(stack);
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_retry_a_failing_receiver_with_the_same_id_until_it_accepts_a_verifiable_event()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 3);
        using var registered = await _stack.Http.PostAsJsonAsync("webhook_endpoints", new { url = receiver.Url, events = new[] { "response.completed" } });
        var endpoint = JsonDocument.Parse(await registered.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        var secret = endpoint.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);

        var response = await _api.CreateAsync(ResponsesApi.ShellRequest("echo hooked", background: true));
        var responseId = response.GetProperty("id").GetString()!;
        await _api.WaitUntilFinishedAsync(responseId);

        await Eventually.TrueAsync(() => Task.FromResult(receiver.Requests.Any(r => r.AnsweredWith == 204)), TimeSpan.FromSeconds(30),
            $"the receiver to accept a delivery; {_stack.Logs}");

        await Task.Delay(TimeSpan.FromSeconds(2));
        var requests = receiver.Requests.Where(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("id").GetString() == responseId).ToList();
        Assert.Equal([500, 500, 500, 204], requests.Select(r => r.AnsweredWith));
        Assert.Single(requests.Select(r => r.WebhookId).Distinct());

        foreach (var request in requests)
        {
            Assert.True(Verifies(secret, request), $"signature {request.Signature} does not verify");
        }

        var accepted = JsonDocument.Parse(requests[^1].Body).RootElement;
        Assert.Equal("event", accepted.GetProperty("object").GetString());
        Assert.Equal("response.completed", accepted.GetProperty("type").GetString());
        Assert.Equal(requests[^1].WebhookId, accepted.GetProperty("id").GetString());

        var log = await _stack.Http.GetFromJsonAsync<JsonElement>($"webhook_endpoints/{endpoint.GetProperty("id").GetString()}/deliveries");
        Assert.Equal(["delivered", "retrying", "retrying", "retrying"], log.GetProperty("data").EnumerateArray().Select(a => a.GetProperty("outcome").GetString()));

        // A receiver's URL may hold its secret: the planner logs the endpoint's id, never the URL.
        Assert.DoesNotContain(receiver.Url.GetLeftPart(UriPartial.Path), _stack.PlannerOutput(), StringComparison.Ordinal);

        using var deleted = await _stack.Http.DeleteAsync($"webhook_endpoints/{endpoint.GetProperty("id").GetString()}");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
    }

    [Fact]
    public async Task Should_be_unwrapped_by_the_official_OpenAI_Node_SDK_and_refused_once_tampered_with()
    {
        var checker = Path.Combine(BerthRepository.Root, "tools", "openai-node-check");
        Assert.SkipUnless(Directory.Exists(Path.Combine(checker, "node_modules", "openai")) && await ChildProcess.AnswersAsync("node", "--version"),
            "Node.js with the openai package is needed: './berth setup' runs 'npm ci' in tools/openai-node-check where node and npm are installed.");

        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 0);
        using var registered = await _stack.Http.PostAsJsonAsync("webhook_endpoints", new { url = receiver.Url });
        var secret = JsonDocument.Parse(await registered.Content.ReadAsStringAsync()).RootElement.GetProperty("secret").GetString()!;
        var response = await _api.CreateAsync(ResponsesApi.ShellRequest("echo unwrapped"));
        var responseId = response.GetProperty("id").GetString()!;

        WebhookReceiver.Received? delivered = null;
        await Eventually.TrueAsync(() => Task.FromResult((delivered = receiver.Requests.FirstOrDefault(r => Encoding.UTF8.GetString(r.Body).Contains(responseId, StringComparison.Ordinal))) is not null),
            TimeSpan.FromSeconds(30), $"a webhook for {responseId}; {_stack.Logs}");
        Assert.NotNull(delivered);

        var (verified, output) = await UnwrapAsync(checker, secret, delivered, delivered.Body);
        Assert.True(verified, $"the OpenAI SDK refused the webhook: {output}");
        var unwrapped = JsonDocument.Parse(output).RootElement;
        Assert.Equal("response.completed", unwrapped.GetProperty("type").GetString());
        Assert.Equal(responseId, unwrapped.GetProperty("data").GetProperty("id").GetString());

        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(delivered.Body).Replace("response.completed", "response.failed", StringComparison.Ordinal));
        var (acceptedTampered, refusal) = await UnwrapAsync(checker, secret, delivered, tampered);
        Assert.False(acceptedTampered, "the OpenAI SDK accepted a body that was changed after signing");
        Assert.Contains("signature", refusal, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<(bool Verified, string Output)> UnwrapAsync(string checker, string secret, WebhookReceiver.Received request, byte[] body)
    {
        var bodyFile = Path.GetTempFileName();
        var headersFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(bodyFile, body);
            await File.WriteAllTextAsync(headersFile, JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["webhook-id"] = request.WebhookId,
                ["webhook-timestamp"] = request.Timestamp,
                ["webhook-signature"] = request.Signature,
            }));
            var (exitCode, output) = await ChildProcess.RunAsync("node", ["verify-webhook.mjs", secret, bodyFile, headersFile], checker);
            return (exitCode == 0, output.Trim());
        }
        finally
        {
            File.Delete(bodyFile);
            File.Delete(headersFile);
        }
    }

    [Theory]
    [InlineData("{\"url\": \"ftp://127.0.0.1/hook\"}", "url")]
    [InlineData("{\"url\": \"not a url\"}", "url")]
    [InlineData("{\"url\": \"http://127.0.0.1/hook\", \"events\": [\"response.exploded\"]}", "events")]
    [InlineData("{}", "url")]
    public async Task Should_refuse_a_receiver_that_is_not_an_http_url_or_asks_for_unknown_events(string body, string param)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _stack.Http.PostAsync("webhook_endpoints", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    /// <summary>The Standard Webhooks rule, computed here independently of Berth's signer.</summary>
    private static bool Verifies(string secret, WebhookReceiver.Received request)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        byte[] signed = [.. Encoding.UTF8.GetBytes($"{request.WebhookId}.{request.Timestamp}."), .. request.Body];
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
        return request.Signature.Split(' ').Contains(expected);
    }
}
