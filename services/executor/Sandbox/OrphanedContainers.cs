using Berth.Executor.Identity;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Cleans up after executors of this deployment that are gone for good. An executor's containers
/// are its own to adopt when it restarts under the same id, but one renamed or scaled away (every
/// <c>docker compose up</c> that names executors anew) never comes back for them. Each executor
/// looks, on its own Docker engine, for containers of its deployment whose executor no live
/// process holds and whose queue has expired; once they have been so for
/// <c>Executor:OrphanGraceSeconds</c>, it removes them, with their egress proxies and networks.
/// Containers of another deployment, or with no deployment label, are never touched.
/// </summary>
internal sealed partial class OrphanedContainers(
    DockerClient docker,
    ExecutorIdentity identity,
    IOptions<ExecutorOptions> options,
    TimeProvider time,
    ILogger<OrphanedContainers> logger)
{
    private readonly Dictionary<string, DateTimeOffset> _goneSince = new(StringComparer.Ordinal);

    /// <summary>Removes what executors gone for longer than the grace left; returns the sessions whose containers went, with their executor.</summary>
    public async Task<IReadOnlyList<(Guid SessionId, string ExecutorId)>> SweepAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.Deployment is not { } deployment)
        {
            return [];
        }

        var filters = new Dictionary<string, IDictionary<string, bool>>
        {
            ["label"] = new Dictionary<string, bool>
            {
                [$"{DockerSandbox.ManagedLabel}=true"] = true,
                [$"{DockerSandbox.DeploymentLabel}={deployment}"] = true,
            },
        };
        var foreign = (await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filters }, cancellationToken))
            .Where(c => c.Labels.TryGetValue(DockerSandbox.ExecutorLabel, out var owner) && owner != settings.InstanceId)
            .GroupBy(c => c.Labels[DockerSandbox.ExecutorLabel], StringComparer.Ordinal)
            .ToList();

        foreach (var forgotten in _goneSince.Keys.Except(foreign.Select(g => g.Key)).ToList())
        {
            _goneSince.Remove(forgotten);
        }

        var removed = new List<(Guid, string)>();
        var now = time.GetUtcNow();
        foreach (var containers in foreign)
        {
            var executorId = containers.Key;
            if (await identity.PresenceOfAsync(executorId, cancellationToken) != ExecutorPresence.Gone)
            {
                _goneSince.Remove(executorId);
                continue;
            }

            var since = _goneSince.TryGetValue(executorId, out var seen) ? seen : _goneSince[executorId] = now;
            if (now - since < TimeSpan.FromSeconds(settings.OrphanGraceSeconds))
            {
                continue;
            }

            foreach (var container in containers)
            {
                await docker.Containers.RemoveIfPresentAsync(container.ID, cancellationToken);
                if (SandboxNames.TrySessionOf(container.Names.FirstOrDefault()?.TrimStart('/') ?? "", out var sessionId))
                {
                    removed.Add((sessionId, executorId));
                }
            }

            await RemoveNetworksAsync(deployment, executorId, cancellationToken);
            _goneSince.Remove(executorId);
            LogRemoved(executorId, containers.Count(), (now - since).TotalSeconds);
        }

        return removed;
    }

    private async Task RemoveNetworksAsync(string deployment, string executorId, CancellationToken cancellationToken)
    {
        var networks = await docker.Networks.ListNetworksAsync(new NetworksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool>
                {
                    [$"{DockerSandbox.DeploymentLabel}={deployment}"] = true,
                    [$"{DockerSandbox.ExecutorLabel}={executorId}"] = true,
                },
            },
        }, cancellationToken);
        foreach (var network in networks)
        {
            try
            {
                await docker.Networks.DeleteNetworkAsync(network.ID, cancellationToken);
            }
            catch (DockerNetworkNotFoundException)
            {
                // Already gone.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Executor {ExecutorId} is gone for good (no process holds its id, its queue has expired, for {Seconds:0} s): removed the {Count} container(s) it left")]
    private partial void LogRemoved(string executorId, int count, double seconds);
}
