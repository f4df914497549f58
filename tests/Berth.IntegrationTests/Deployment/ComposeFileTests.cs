using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.Deployment;

/// <summary>
/// docker-compose.yml, checked by Compose itself. Nothing can be pulled here, so the stack is
/// never started from it in CI: the file must at least be what Compose accepts, and name the
/// parts the README promises.
/// </summary>
public sealed class ComposeFileTests
{
    [Fact]
    public async Task Should_be_accepted_by_docker_compose_config_with_every_part_of_the_stack()
    {
        var compose = await FindComposeAsync();
        Assert.SkipWhen(compose is null, "Neither 'docker compose' nor 'docker-compose' is installed here ('./berth setup' installs Debian's docker-compose).");

        var (check, checkOutput) = await ChildProcess.RunAsync(compose!.Value.File, [.. compose.Value.Prefix, "-f", "docker-compose.yml", "config", "-q"]);
        Assert.True(check == 0, $"compose config failed: {checkOutput}");

        var (list, services) = await ChildProcess.RunAsync(compose.Value.File, [.. compose.Value.Prefix, "-f", "docker-compose.yml", "--profile", "collector", "config", "--services"]);
        Assert.Equal(0, list);
        Assert.Equal(["api", "executor", "jaeger", "mongodb", "otel-collector", "planner", "rabbitmq", "sandbox"],
            services.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal));

        foreach (var service in new[] { "api", "planner", "executor" })
        {
            Assert.True(File.Exists(Path.Combine(Repository.Root, "services", service, "Dockerfile")), $"services/{service}/Dockerfile is missing");
        }

        Assert.True(File.Exists(Path.Combine(Repository.Root, "otel", "collector.yaml")));
    }

    private static async Task<(string File, string[] Prefix)?> FindComposeAsync()
    {
        if (await ChildProcess.AnswersAsync("docker", "compose", "version"))
        {
            return ("docker", ["compose"]);
        }

        return await ChildProcess.AnswersAsync("docker-compose", "version") ? ("docker-compose", []) : null;
    }
}
