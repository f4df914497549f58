using System.Globalization;
using Berth.Contracts;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Makes and starts sandbox containers to <see cref="SandboxSpec"/>, labelled as this
/// executor's and this deployment's, with an allowlist session's network and proxy made first.
/// </summary>
internal sealed partial class SandboxFactory(DockerClient docker, EgressProxies egress, ServedImages images, IOptions<ExecutorOptions> options, ILogger<SandboxFactory> logger,
    SandboxCgroup? cgroup = null)
{
    public const string ImageLabel = "berth.image";

    /// <param name="warm">Made ahead of any session, for the warm pool: labelled so, with its memory limit.</param>
    /// <param name="memoryMb">A memory limit other than the operator's default; null for the default.</param>
    /// <param name="egressFor">The session whose allowlist the container's network follows; null for no network.</param>
    /// <param name="image">The operator's name for the image (<c>Images:&lt;n&gt;:Name</c>); null for the default. Only an image this executor serves.</param>
    public async Task<string> CreateAsync(string name, CancellationToken cancellationToken, bool warm = false, int? memoryMb = null,
        (Guid SessionId, NetworkPolicySpec Policy)? egressFor = null, string? image = null)
    {
        var settings = options.Value;
        var reference = images.ReferenceOf(image) ?? throw new ImageNotServedException(settings.InstanceId, image!);
        var memory = Math.Min(memoryMb ?? settings.MemoryMb, settings.MaxMemoryMb) * 1024L * 1024L;
        var labels = new Dictionary<string, string>
        {
            [DockerSandbox.ManagedLabel] = "true",
            [DockerSandbox.ExecutorLabel] = settings.InstanceId,
            [ImageLabel] = SandboxImages.NameOrDefault(image),
        };
        if (settings.Deployment is { } deployment)
        {
            labels[DockerSandbox.DeploymentLabel] = deployment;
        }

        if (warm)
        {
            labels[DockerSandbox.WarmLabel] = "true";
            labels[DockerSandbox.MemoryLabel] = (memoryMb ?? settings.MemoryMb).ToString(CultureInfo.InvariantCulture);
        }

        var network = egressFor is var (sessionId, policy) ? await egress.StartAsync(sessionId, policy, labels, cancellationToken) : null;
        CreateContainerResponse created;
        try
        {
            created = await docker.Containers.CreateContainerAsync(SandboxSpec.For(name, reference, labels, memory, network, settings, cgroup?.Parent), cancellationToken);
        }
        catch
        {
            if (egressFor is var (failedSession, _))
            {
                await egress.RemoveAsync(failedSession, CancellationToken.None);
            }

            throw;
        }

        await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken);
        LogCreated(name, created.ID[..12], reference);
        return created.ID;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created container {Name} ({ContainerId}) from {Image}")]
    private partial void LogCreated(string name, string containerId, string image);
}
