using System.Collections.Concurrent;
using System.Globalization;
using Berth.Contracts;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Containers started ahead of any session, one pool per image and memory limit
/// (<c>Executor:WarmContainers</c> and its per-limit targets for the default image,
/// <c>Images:&lt;n&gt;:Warm</c> for each listed one), each with its command runner ready, so a new
/// session's first output takes milliseconds instead of a container's start. A session claims
/// one by renaming it after itself.
/// </summary>
internal sealed class WarmPool(DockerClient docker, SandboxFactory factory, ICommandRunner runner, ServedImages images, IOptions<ExecutorOptions> options)
{
    private readonly ConcurrentDictionary<(string Image, int MemoryMb), ConcurrentQueue<string>> _pools = new();

    public int Count => _pools.Values.Sum(pool => pool.Count);

    private ConcurrentQueue<string> Pool(string? image, int memoryMb) =>
        _pools.GetOrAdd((SandboxImages.NameOrDefault(image), memoryMb), _ => new ConcurrentQueue<string>());

    /// <summary>Takes back a warm container this executor made before it restarted, into the pool of its image and memory limit.</summary>
    public void Adopt(ContainerListResponse container)
    {
        var memory = container.Labels.TryGetValue(DockerSandbox.MemoryLabel, out var label) && int.TryParse(label, CultureInfo.InvariantCulture, out var mb)
            ? mb
            : options.Value.MemoryMb;
        var image = container.Labels.TryGetValue(SandboxFactory.ImageLabel, out var name) ? name : null;
        Pool(image, memory).Enqueue(container.ID);
    }

    /// <summary>Every pool's image, memory limit and target: the default image's per limit, then each listed image's at the default limit.</summary>
    private IEnumerable<(string? Image, int MemoryMb, int Target)> Targets() =>
    [
        .. options.Value.WarmPools().Select(pool => ((string?)null, pool.Key, pool.Value)),
        .. images.WarmTargets.Select(listed => ((string?)listed.Name, options.Value.MemoryMb, listed.Warm)),
    ];

    /// <summary>Starts containers until every pool holds its target; how many it started.</summary>
    public async Task<int> RefillAsync(CancellationToken cancellationToken)
    {
        var started = 0;
        foreach (var (image, memory, target) in Targets())
        {
            var pool = Pool(image, memory);
            while (pool.Count < target)
            {
                var id = await factory.CreateAsync(SandboxNames.NewWarm(), cancellationToken, warm: true,
                    memoryMb: memory == options.Value.MemoryMb ? null : memory, image: image);
                await runner.PrepareAsync(id, cancellationToken);
                pool.Enqueue(id);
                started++;
            }
        }

        return started;
    }

    /// <summary>Gives a warm container of this image and memory limit to a new session, renamed after it; null when the pool is empty.</summary>
    public async Task<string?> ClaimAsync(Guid sessionId, string? image, int memoryMb, CancellationToken cancellationToken)
    {
        while (Pool(image, memoryMb).TryDequeue(out var containerId))
        {
            try
            {
                await docker.Containers.RenameContainerAsync(containerId, new ContainerRenameParameters { NewName = SandboxNames.Session(sessionId) }, cancellationToken);
                return containerId;
            }
            catch (DockerContainerNotFoundException)
            {
                // Removed behind our back; try the next one.
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                // The session's name is taken already: the warm container stays warm.
                Pool(image, memoryMb).Enqueue(containerId);
                throw;
            }
        }

        return null;
    }
}
