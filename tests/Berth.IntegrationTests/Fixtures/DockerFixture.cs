using System.Net.Sockets;
using Docker.DotNet;

namespace Berth.IntegrationTests.Fixtures;

/// <summary>The local Docker engine and the sandbox image. Missing either: the tests that need them skip, saying why.</summary>
public sealed class DockerFixture : IAsyncLifetime
{
    public static string SandboxImage => Environment.GetEnvironmentVariable("BERTH_SANDBOX_IMAGE") ?? "berth-sandbox:latest";

    /// <summary>The second example image (the default plus numpy) that <c>./berth setup</c> builds, listed to the stack as <see cref="ScienceImageName"/>.</summary>
    public const string ScienceImage = "berth-sandbox-science:latest";

    public const string ScienceImageName = "science";

    /// <summary>Why the tests of the second image cannot run here; null when they can.</summary>
    public static async Task<string?> ScienceImageMissingAsync()
    {
        using var client = CreateClient();
        try
        {
            await client.Images.InspectImageAsync(ScienceImage);
            return null;
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            return $"The second sandbox image {ScienceImage} is missing ({e.Message}); ./berth setup builds it.";
        }
    }

    public DockerClient Client { get; } = CreateClient();

    public string? UnavailableReason { get; private set; }

    public static DockerClient CreateClient()
    {
        var endpoint = Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "unix:///var/run/docker.sock";
        return new DockerClientBuilder().WithEndpoint(new Uri(endpoint)).Build();
    }

    public async ValueTask InitializeAsync()
    {
        try
        {
            await Client.System.PingAsync();
        }
        catch (Exception e) when (e is HttpRequestException or DockerApiException or IOException or SocketException or TimeoutException)
        {
            UnavailableReason = $"No Docker engine answers ({e.Message}); start dockerd.";
            return;
        }

        try
        {
            await Client.Images.InspectImageAsync(SandboxImage);
        }
        catch (DockerImageNotFoundException)
        {
            UnavailableReason = $"The sandbox image {SandboxImage} is missing; build it with sandbox/build-image.sh.";
        }
    }

    /// <summary>Removes every container an executor of this name made, whatever state it is in.</summary>
    public async Task RemoveContainersOfAsync(string executorId)
    {
        var ours = await Client.Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"berth.executor={executorId}"] = true } },
        });
        foreach (var container in ours)
        {
            await Client.Containers.RemoveContainerAsync(container.ID, new Docker.DotNet.Models.ContainerRemoveParameters { Force = true });
        }
    }

    /// <summary>Removes the networks an executor of this name made for its sessions' egress proxies; after their containers.</summary>
    public async Task RemoveNetworksOfAsync(string executorId)
    {
        var ours = await Client.Networks.ListNetworksAsync(new Docker.DotNet.Models.NetworksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"berth.executor={executorId}"] = true } },
        });
        foreach (var network in ours)
        {
            await Client.Networks.DeleteNetworkAsync(network.ID);
        }
    }

    public ValueTask DisposeAsync()
    {
        Client.Dispose();
        return ValueTask.CompletedTask;
    }
}
