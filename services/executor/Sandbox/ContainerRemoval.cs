using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Executor.Sandbox;

internal static class ContainerRemoval
{
    /// <summary>Removes a container, running or not; one that is gone already is the outcome wanted, not an error.</summary>
    public static async Task RemoveIfPresentAsync(this IContainerOperations containers, string idOrName, CancellationToken cancellationToken)
    {
        try
        {
            await containers.RemoveContainerAsync(idOrName, new ContainerRemoveParameters { Force = true }, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            // Already gone.
        }
    }
}
