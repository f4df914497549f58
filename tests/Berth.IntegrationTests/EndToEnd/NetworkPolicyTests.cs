using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>
/// <c>network_policy</c> through the whole pipeline: the api checks it against the operator's
/// cap, and it reaches the executor, whose proxies <c>Executor/EgressAllowlistTests</c> tests.
/// The shared stack's executors have no egress network, so there an allowlist must fail loudly
/// rather than run without the network it asked for.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class NetworkPolicyTests
{
    private readonly BerthStack _stack;

    public NetworkPolicyTests(BerthStack stack)
    {
        _stack = stack;
        stack.BeginTest();
    }

    private static Dictionary<string, object?> Request(string input, string[]? allowed, string? previous = null) => new Dictionary<string, object?>
    {
        ["model"] = "berth-scripted",
        ["input"] = input,
        ["tools"] = new[]
        {
            new
            {
                type = "shell",
                environment = allowed is null
                    ? (object)new { type = "container_auto" }
                    : new { type = "container_auto", network_policy = new { type = "allowlist", allowed_domains = allowed } },
            },
        },
        ["previous_response_id"] = previous,
    }.Where(p => p.Value is not null).ToDictionary();

    [Fact]
    public async Task Should_carry_an_allowed_policy_to_the_executor_and_fail_clearly_where_it_has_no_egress_network()
    {
        var (api, http) = await _stack.StartApiAsync("api-egress", ("Api__AllowedEgressDomains__0", "*.berth.test"));
        using (http)
        {
            var marker = Guid.NewGuid().ToString("N")[..12];
            var (status, body) = await PostAsync(http, Request($"echo {marker}", ["allowed.berth.test"]));

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("failed", body.Status());
            Assert.Equal("network_unavailable", body.GetProperty("error").GetProperty("code").GetString());
            Assert.Contains("Executor:EgressNetwork", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
            var policy = body.GetProperty("tools")[0].GetProperty("environment").GetProperty("network_policy");
            Assert.Equal("allowlist", policy.GetProperty("type").GetString());
            Assert.Equal(["allowed.berth.test"], policy.GetProperty("allowed_domains").EnumerateArray().Select(d => d.GetString()));

            // The model was told the truth about the network its commands would have.
            var offered = _stack.Model.Requests.Last(r => r.LastUserText.Contains(marker, StringComparison.Ordinal)).Raw.GetProperty("tools")[0].GetProperty("function");
            Assert.Contains("to these domains only: allowed.berth.test.", offered.GetProperty("description").GetString(), StringComparison.Ordinal);

            // Outside the operator's cap: refused before anything runs, with the entry named.
            var (refused, error) = await PostAsync(http, Request("echo hi", ["allowed.berth.test", "pypi.org"]));
            Assert.Equal(HttpStatusCode.BadRequest, refused);
            Assert.Equal("tools[0].environment.network_policy.allowed_domains[1]", error.GetProperty("error").GetProperty("param").GetString());
        }

        await api.DisposeAsync();
    }

    [Fact]
    public async Task Should_refuse_an_allowlist_where_the_operator_allows_no_domains_and_a_session_changing_its_policy()
    {
        var (refused, error) = await PostAsync(_stack.Http, Request("echo hi", ["allowed.berth.test"]));
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Contains("Api:AllowedEgressDomains", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

        var (api, http) = await _stack.StartApiAsync("api-egress-change", ("Api__AllowedEgressDomains__0", "*.berth.test"));
        using (http)
        {
            var (_, first) = await PostAsync(http, Request("echo offline", allowed: null));
            Assert.Equal("completed", first.Status());

            var (changed, problem) = await PostAsync(http, Request("echo online", ["allowed.berth.test"], first.GetProperty("id").GetString()));
            Assert.Equal(HttpStatusCode.BadRequest, changed);
            Assert.Contains("keeps the network it was made with", problem.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        await api.DisposeAsync();
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient http, object request)
    {
        using var answer = await http.PostAsJsonAsync("responses", request);
        return (answer.StatusCode, JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}
