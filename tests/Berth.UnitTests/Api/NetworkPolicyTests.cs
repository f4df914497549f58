using System.Text.Json;
using Berth.Api.Containers;
using Berth.Api.Responses;
using Berth.Contracts;
using Berth.ServiceDefaults;

namespace Berth.UnitTests.Api;

/// <summary>OpenAI's <c>network_policy</c>: what a request may ask for, under the operator's cap, and the proxy filter it becomes.</summary>
public sealed class NetworkPolicyTests
{
    private static readonly string[] Cap = ["pypi.org", "*.pythonhosted.org", "*.github.com"];

    private static (CreateResponseRequest? Request, Berth.Api.Errors.ApiError? Error) Parse(string environment, string[]? cap = null)
    {
        using var document = JsonDocument.Parse($$"""{ "model": "m", "input": "x", "tools": [ { "type": "shell", "environment": {{environment}} } ] }""");
        return CreateResponseParser.Parse(document.RootElement, cap ?? Cap);
    }

    [Fact]
    public void Should_keep_the_allowed_domains_normalized_and_sorted_when_the_cap_covers_them()
    {
        var (request, error) = Parse("""
            { "type": "container_auto", "network_policy": { "type": "allowlist", "allowed_domains": ["PyPI.org", "files.pythonhosted.org", "*.api.github.com", "pypi.org"] } }
            """);

        Assert.Null(error);
        Assert.Equal(
            new NetworkPolicySpec { Type = "allowlist", AllowedDomains = ["*.api.github.com", "files.pythonhosted.org", "pypi.org"] },
            request!.Shell!.NetworkPolicy);
    }

    [Fact]
    public void Should_give_no_network_when_the_policy_is_disabled_or_absent()
    {
        Assert.Null(Parse("""{ "type": "container_auto", "network_policy": { "type": "disabled" } }""").Request!.Shell!.NetworkPolicy);
        Assert.Null(Parse("""{ "type": "container_auto" }""").Request!.Shell!.NetworkPolicy);
    }

    [Theory]
    [InlineData("""["pypi.org", "evil.example"]""", "tools[0].environment.network_policy.allowed_domains[1]", "not among the domains this Berth allows")]
    [InlineData("""["pythonhosted.org"]""", "tools[0].environment.network_policy.allowed_domains[0]", "not among")]
    [InlineData("""["*.com"]""", "tools[0].environment.network_policy.allowed_domains[0]", "at least two labels")]
    [InlineData("""["93.184.216.34"]""", "tools[0].environment.network_policy.allowed_domains[0]", "IP address")]
    [InlineData("""["pypi.org/simple"]""", "tools[0].environment.network_policy.allowed_domains[0]", "not a domain name")]
    [InlineData("""["localhost"]""", "tools[0].environment.network_policy.allowed_domains[0]", "at least two labels")]
    [InlineData("""[]""", "tools[0].environment.network_policy.allowed_domains", "1 to 100")]
    [InlineData("""[42]""", "tools[0].environment.network_policy.allowed_domains[0]", "expected a string")]
    public void Should_refuse_with_the_entry_named_when_a_domain_is_invalid_or_not_allowed(string domains, string param, string message)
    {
        var (_, error) = Parse($$"""{ "type": "container_auto", "network_policy": { "type": "allowlist", "allowed_domains": {{domains}} } }""");

        Assert.Equal(400, error!.Status);
        Assert.Equal(param, error.Param);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_any_allowlist_when_the_operator_allows_no_domains()
    {
        var (_, error) = Parse("""{ "type": "container_auto", "network_policy": { "type": "allowlist", "allowed_domains": ["pypi.org"] } }""", cap: []);

        Assert.Equal("tools[0].environment.network_policy", error!.Param);
        Assert.Contains("Api:AllowedEgressDomains", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "type": "container_reference", "container_id": "cntr_1", "network_policy": { "type": "disabled" } }""", "tools[0].environment.network_policy")]
    [InlineData("""{ "type": "container_auto", "network_policy": { "type": "open" } }""", "tools[0].environment.network_policy.type")]
    [InlineData("""{ "type": "container_auto", "network_policy": "allowlist" }""", "tools[0].environment.network_policy")]
    [InlineData("""{ "type": "container_auto", "network_policy": { "type": "allowlist", "allowed_domains": ["pypi.org"], "domain_secrets": [{ "domain": "pypi.org", "name": "T", "value": "v" }] } }""", "tools[0].environment.network_policy.domain_secrets")]
    public void Should_refuse_a_policy_Berth_cannot_honour(string environment, string param)
    {
        var (_, error) = Parse(environment);

        Assert.Equal(param, error!.Param);
    }

    [Fact]
    public void Should_read_the_policy_of_a_new_container()
    {
        using var document = JsonDocument.Parse("""{ "name": "box", "network_policy": { "type": "allowlist", "allowed_domains": ["pypi.org"] } }""");

        var (request, error) = CreateContainerParser.Parse(document.RootElement, Cap);

        Assert.Null(error);
        Assert.Equal(["pypi.org"], request!.NetworkPolicy!.AllowedDomains);
    }

    [Theory]
    [InlineData("pypi.org", "pypi.org", true)]
    [InlineData("pypi.org", "www.pypi.org", false)]
    [InlineData("*.github.com", "api.github.com", true)]
    [InlineData("*.github.com", "a.b.github.com", true)]
    [InlineData("*.github.com", "*.api.github.com", true)]
    [InlineData("*.github.com", "*.github.com", true)]
    [InlineData("*.github.com", "github.com", false)]
    [InlineData("*.github.com", "evilgithub.com", false)]
    public void Should_cover_a_domain_only_when_the_cap_entry_includes_it(string cap, string requested, bool covered) =>
        Assert.Equal(covered, EgressDomains.Covers(cap, requested));

    [Theory]
    [InlineData("pypi.org", "pypi.org")]
    [InlineData("*.pythonhosted.org", "files.pythonhosted.org")]
    [InlineData("*.pythonhosted.org", "a.b-c.pythonhosted.org")]
    public void Should_let_through_http_on_80_and_tunnels_to_443_of_the_host_and_nothing_else(string entry, string host)
    {
        var filters = EgressDomains.FilterLines(entry).ToList();
        bool Passes(string url) => filters.Any(filter => System.Text.RegularExpressions.Regex.IsMatch(url, filter, System.Text.RegularExpressions.RegexOptions.IgnoreCase));

        // As tinyproxy sees them with FilterURLs: plain HTTP as the absolute URL, a tunnel as host:port.
        Assert.True(Passes($"http://{host}/simple/"));
        Assert.True(Passes($"http://{host}:80/x"));
        Assert.True(Passes($"http://{host}"));
        Assert.True(Passes($"{host}:443"));

        var domain = entry.TrimStart('*', '.');
        foreach (var refused in new[]
        {
            $"http://{host}:8080/", $"http://{host}:22/", $"http://{host}:443/", $"{host}:8443", $"{host}:80",
            $"http://evil{domain}/", $"http://{host}.evil.net/", $"http://{host}@evil.net/", $"http://evil.net/{host}/", $"evil.net:443/{host}:443",
        })
        {
            Assert.False(Passes(refused), $"{refused} should not pass {string.Join(" | ", filters)}");
        }

        Assert.Equal(entry.StartsWith("*.", StringComparison.Ordinal), !Passes($"http://{domain}/"));
    }
}
