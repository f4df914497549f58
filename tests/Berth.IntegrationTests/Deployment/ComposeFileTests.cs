using Berth.IntegrationTests.Fixtures;
using YamlDotNet.RepresentationModel;

namespace Berth.IntegrationTests.Deployment;

/// <summary>
/// docker-compose.yml, checked by Compose itself. Nothing can be pulled here, so the stack is
/// never started from it in CI: the file must be what Compose accepts, name the parts the README
/// promises, publish nothing but the api beyond the host's loopback, and start only with the
/// credentials the operator sets (no default key, no guest broker).
/// </summary>
public sealed class ComposeFileTests
{
    /// <summary>Every variable the file refuses to start without, set to values of the test's own.</summary>
    private static readonly Dictionary<string, string?> Credentials = new()
    {
        ["BERTH_API_KEYS"] = "tenant:compose-test-key",
        ["RABBITMQ_USER"] = "composeuser",
        ["RABBITMQ_PASSWORD"] = "composepassword",
        ["MONGODB_USER"] = "mongouser",
        ["MONGODB_PASSWORD"] = "mongopassword",
    };

    [Fact]
    public async Task Should_be_accepted_by_docker_compose_config_with_every_part_of_the_stack_when_the_credentials_are_set()
    {
        var compose = await RequireComposeAsync();
        var (check, checkOutput) = await RunAsync(compose, Credentials, "config", "-q");
        Assert.True(check == 0, $"compose config failed: {checkOutput}");

        var (list, services) = await RunAsync(compose, Credentials, "--profile", "collector", "config", "--services");
        Assert.Equal(0, list);
        Assert.Equal(["api", "executor", "jaeger", "mongodb", "otel-collector", "planner", "rabbitmq", "sandbox"],
            services.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));

        foreach (var service in new[] { "api", "planner", "executor" })
        {
            Assert.True(File.Exists(Path.Combine(BerthRepository.Root, "services", service, "Dockerfile")), $"services/{service}/Dockerfile is missing");
        }

        Assert.True(File.Exists(Path.Combine(BerthRepository.Root, "otel", "collector.yaml")));
    }

    [Theory]
    [InlineData("BERTH_API_KEYS")]
    [InlineData("RABBITMQ_USER")]
    [InlineData("RABBITMQ_PASSWORD")]
    [InlineData("MONGODB_USER")]
    [InlineData("MONGODB_PASSWORD")]
    public async Task Should_refuse_to_start_and_name_the_setting_when_a_credential_is_not_set(string missing)
    {
        var compose = await RequireComposeAsync();
        var (exit, output) = await RunAsync(compose, new Dictionary<string, string?>(Credentials) { [missing] = null }, "config", "-q");

        Assert.True(exit != 0, $"compose rendered the file without {missing}");
        Assert.Contains(missing, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_publish_nothing_but_the_api_beyond_loopback_and_use_the_operators_credentials_when_rendered()
    {
        var compose = await RequireComposeAsync();
        var (exit, rendered) = await RunAsync(compose, Credentials, "--profile", "collector", "config");
        Assert.True(exit == 0, rendered);

        var yaml = new YamlStream();
        yaml.Load(new StringReader(rendered));
        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
        var published = services.Children
            .SelectMany(service => PortsOf((YamlMappingNode)service.Value).Select(port => (Service: ((YamlScalarNode)service.Key).Value!, port.HostIp, port.Published)))
            .ToList();

        var beyondLoopback = published.Where(p => p.HostIp != "127.0.0.1").ToList();
        Assert.True(beyondLoopback is [("api", _, "8080")], $"published beyond loopback: {string.Join(", ", beyondLoopback)}");
        Assert.DoesNotContain(published, p => p.Published is "5672" or "4317" or "4318");

        var environment = (string service) => (YamlMappingNode)((YamlMappingNode)services[service])["environment"];
        Assert.Equal("tenant:compose-test-key", ((YamlScalarNode)environment("api")["BERTH_API_KEYS"]).Value);

        // Health and metrics on a port of their own, which is listened on and not published.
        var managementPort = ((YamlScalarNode)environment("api")["Management__Port"]).Value!;
        Assert.Contains($":{managementPort}", ((YamlScalarNode)environment("api")["ASPNETCORE_URLS"]).Value!, StringComparison.Ordinal);
        Assert.DoesNotContain(published, p => p.Published == managementPort);
        Assert.Equal("composeuser", ((YamlScalarNode)environment("rabbitmq")["RABBITMQ_DEFAULT_USER"]).Value);
        Assert.Equal("mongouser", ((YamlScalarNode)environment("mongodb")["MONGO_INITDB_ROOT_USERNAME"]).Value);
        foreach (var service in new[] { "api", "planner", "executor" })
        {
            Assert.Equal("amqp://composeuser:composepassword@rabbitmq:5672/", ((YamlScalarNode)environment(service)["ConnectionStrings__rabbitmq"]).Value);
        }

        Assert.StartsWith("mongodb://mongouser:mongopassword@", ((YamlScalarNode)environment("planner")["ConnectionStrings__mongodb"]).Value, StringComparison.Ordinal);

        // Large payloads go through GridFS: the api and executors must reach the planner's MongoDB.
        foreach (var service in new[] { "api", "executor" })
        {
            Assert.Equal(((YamlScalarNode)environment("planner")["ConnectionStrings__mongodb"]).Value, ((YamlScalarNode)environment(service)["ConnectionStrings__mongodb"]).Value);
        }
        Assert.DoesNotContain("guest", rendered, StringComparison.Ordinal);
    }

    /// <summary>
    /// A service's published ports, in either form Compose renders: a mapping (<c>host_ip</c>,
    /// <c>published</c>) or a string (<c>[ip:]published:target[/protocol]</c>). No host address means every interface.
    /// </summary>
    private static IEnumerable<(string? HostIp, string? Published)> PortsOf(YamlMappingNode service)
    {
        if (!service.Children.TryGetValue(new YamlScalarNode("ports"), out var ports))
        {
            yield break;
        }

        foreach (var port in (YamlSequenceNode)ports)
        {
            if (port is YamlMappingNode mapping)
            {
                var hostIp = mapping.Children.TryGetValue(new YamlScalarNode("host_ip"), out var ip) ? ((YamlScalarNode)ip).Value : null;
                var publishedPort = mapping.Children.TryGetValue(new YamlScalarNode("published"), out var p) ? ((YamlScalarNode)p).Value : null;
                yield return (hostIp, publishedPort);
            }
            else
            {
                var parts = ((YamlScalarNode)port).Value!.Split('/')[0].Split(':');
                yield return parts.Length switch
                {
                    3 => (parts[0], parts[1]),
                    2 => (null, parts[0]),
                    _ => (null, null),
                };
            }
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync((string File, string[] Prefix) compose, IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        await ChildProcess.RunAsync(compose.File, [.. compose.Prefix, "-f", "docker-compose.yml", .. arguments], environment: environment);

    private static async Task<(string File, string[] Prefix)> RequireComposeAsync()
    {
        var compose = await ChildProcess.AnswersAsync("docker", "compose", "version") ? ("docker", ["compose"])
            : await ChildProcess.AnswersAsync("docker-compose", "version") ? ("docker-compose", Array.Empty<string>())
            : ((string, string[])?)null;
        Assert.SkipWhen(compose is null, "Neither 'docker compose' nor 'docker-compose' is installed here ('./berth setup' installs Debian's docker-compose).");
        return compose!.Value;
    }
}
