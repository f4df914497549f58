using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Executor.Peers;

/// <summary>
/// Which Docker engine this executor's containers run on, by an id of Berth's own. Engines
/// report an ID of their own, but engines started from one configuration (two daemons on one
/// host, machines cloned from one image) share it. The first executor on an engine leaves a
/// random id there, as the label of a volume that holds no data; Docker answers a create of a
/// volume that exists with the existing one, so every later executor reads the same id.
/// </summary>
internal sealed class DockerEngine(DockerClient docker)
{
    public const string VolumeName = "berth-engine";
    private const string Label = "berth.engine";

    /// <summary>The id, once <see cref="IdAsync"/> has read it; null before (the heartbeat never waits on Docker).</summary>
    public string? Known { get; private set; }

    public async Task<string> IdAsync(CancellationToken cancellationToken)
    {
        if (Known is { } known)
        {
            return known;
        }

        await docker.Volumes.CreateAsync(new VolumesCreateParameters
        {
            Name = VolumeName,
            Labels = new Dictionary<string, string> { [Label] = Guid.NewGuid().ToString("N") },
        }, cancellationToken);
        var volume = await docker.Volumes.InspectAsync(VolumeName, cancellationToken);

        // A volume of this name made by hand has no label: its creation time is as unique.
        return Known = volume.Labels is not null && volume.Labels.TryGetValue(Label, out var id) ? id : $"created-{volume.CreatedAt}";
    }
}
