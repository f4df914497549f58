using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;
using OpenAI.Responses;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary><c>Authorization: Bearer</c> on an api instance started with keys; the shared stack runs without, on loopback.</summary>
[Collection(StackCollection.Name)]
public sealed class ApiKeyTests
{
    private const string AcmeKey = "sk-berth-acme-7d1f0c9a2b3e4f56";
    private const string GlobexKey = "sk-berth-globex-0a9b8c7d6e5f4a3b";

    private readonly BerthStack _stack;

    public ApiKeyTests(BerthStack stack)
    {
        _stack = stack;
        stack.BeginTest();
    }

    [Fact]
    public async Task Should_answer_401_in_OpenAI_shape_without_a_key_or_with_a_wrong_one_and_serve_with_a_right_one()
    {
        var (api, http) = await _stack.StartApiAsync("api-keys", ("BERTH_API_KEYS", $"acme:{AcmeKey}, globex:{GlobexKey}"));
        using (http)
        {
            foreach (var (authorization, code) in new (AuthenticationHeaderValue?, string?)[]
            {
                (null, null),
                (new AuthenticationHeaderValue("Bearer", "sk-berth-acme-7d1f0c9a2b3e4f57"), "invalid_api_key"),
                (new AuthenticationHeaderValue("Basic", AcmeKey), null),
            })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "responses/resp_0123456789abcdef0123456789abcdef");
                request.Headers.Authorization = authorization;
                using var refused = await http.SendAsync(request);
                var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
                Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
                Assert.Equal(code, error.GetProperty("code").GetString());
            }

            // Health and metrics stay open: they are for the operator's probes, and hold no data.
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(http.BaseAddress!, "/health/live"))).StatusCode);

            // The official SDK, with each tenant's key.
            foreach (var key in new[] { AcmeKey, GlobexKey })
            {
                var sdk = new ResponsesClient(new ApiKeyCredential(key), new ResponsesClientOptions { Endpoint = new Uri(http.BaseAddress!.ToString().TrimEnd('/')) });
                var options = new CreateResponseOptions("berth-scripted", [ResponseItem.CreateUserMessageItem("echo keyed")]);
                options.Patch.Set("$.tools"u8, BinaryData.FromString("""[{"type":"shell","environment":{"type":"container_auto"}}]"""));
                ResponseResult result = await sdk.CreateResponseAsync(options);
                Assert.Equal(ResponseStatus.Completed, result.Status);
            }

            var wrong = new ResponsesClient(new ApiKeyCredential("sk-not-a-key-of-this-api"), new ResponsesClientOptions { Endpoint = new Uri(http.BaseAddress!.ToString().TrimEnd('/')) });
            var failure = await Assert.ThrowsAsync<ClientResultException>(() => wrong.GetResponseAsync("resp_0123456789abcdef0123456789abcdef"));
            Assert.Equal(401, failure.Status);
        }

        await api.DisposeAsync();
    }

    [Fact]
    public async Task Should_answer_429_with_Retry_After_when_a_tenant_exceeds_its_requests_per_minute_and_leave_other_tenants_alone()
    {
        var (api, http) = await _stack.StartApiAsync("api-limits",
            ("BERTH_API_KEYS", $"acme:{AcmeKey},globex:{GlobexKey}"), ("Api__RequestsPerMinutePerTenant", "3"));
        using (http)
        {
            var statuses = new List<HttpStatusCode>();
            HttpResponseMessage? limited = null;
            for (var i = 0; i < 4; i++)
            {
                var answer = await GetAsAsync(http, AcmeKey);
                statuses.Add(answer.StatusCode);
                if (answer.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    limited = answer;
                }
                else
                {
                    answer.Dispose();
                }
            }

            Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], statuses);
            using (limited)
            {
                Assert.True(int.Parse(limited!.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 60);
                var error = JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
                Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
            }

            using var other = await GetAsAsync(http, GlobexKey);
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        }

        await api.DisposeAsync();

        static Task<HttpResponseMessage> GetAsAsync(HttpClient http, string key)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "responses/resp_0123456789abcdef0123456789abcdef");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return http.SendAsync(request);
        }
    }

    [Theory]
    [InlineData("ASPNETCORE_URLS", "http://0.0.0.0:0")]
    [InlineData("ASPNETCORE_HTTP_PORTS", "0")]
    [InlineData("Kestrel__Endpoints__Open__Url", "http://0.0.0.0:0")]
    public async Task Should_refuse_to_serve_without_keys_when_asked_to_listen_beyond_loopback(string setting, string value)
    {
        var api = ServiceProcess.StartService($"api-open-{setting.Replace("__", "-", StringComparison.Ordinal).ToLowerInvariant()}", "api", new Dictionary<string, string>
        {
            ["ConnectionStrings__rabbitmq"] = _stack.RabbitMq.ConnectionString!,
            [setting] = value,
        }, _stack.LogDirectory);
        await using (api)
        {
            await Eventually.TrueAsync(() => Task.FromResult(api.HasExited), TimeSpan.FromSeconds(60), $"the api to stop, listening beyond loopback without API keys ({setting}={value})");
            Assert.NotEqual(0, await api.WaitForExitAsync(TimeSpan.FromSeconds(5)));
        }

        Assert.Contains("No API keys are configured", await File.ReadAllTextAsync(api.LogPath), StringComparison.Ordinal);
    }
}
