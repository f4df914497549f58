using System.Collections.Concurrent;
using Berth.Contracts;
using Docker.DotNet;

namespace Berth.Executor.Sandbox;

/// <summary>
/// In shell mode: the persistent shell for every container, but a <c>docker exec</c> per command
/// for the containers of a listed image that has no bash (<see cref="ServedImages.WithoutBash"/>).
/// Which image a container is of is read once from its label and kept until it is forgotten.
/// </summary>
internal sealed class ShellOrExecRunner(ShellCommandRunner shell, ExecCommandRunner exec, ServedImages images, DockerClient docker) : ICommandRunner
{
    private readonly ConcurrentDictionary<string, ICommandRunner> _chosen = new(StringComparer.Ordinal);

    public async Task<CommandOutput> RunAsync(string containerId, string command, int timeoutMs, int maxOutputLength, OutputChunks? chunks,
        CancellationToken cancellationToken, CancellationToken callCancelled) =>
        await (await ForAsync(containerId, cancellationToken)).RunAsync(containerId, command, timeoutMs, maxOutputLength, chunks, cancellationToken, callCancelled);

    public async Task PrepareAsync(string containerId, CancellationToken cancellationToken) =>
        await (await ForAsync(containerId, cancellationToken)).PrepareAsync(containerId, cancellationToken);

    public async Task<int?> EndLeftRunningAsync(string containerId, CancellationToken cancellationToken) =>
        await (await ForAsync(containerId, cancellationToken)).EndLeftRunningAsync(containerId, cancellationToken);

    public void Forget(string containerId)
    {
        _chosen.TryRemove(containerId, out _);
        shell.Forget(containerId);
        exec.Forget(containerId);
    }

    private async ValueTask<ICommandRunner> ForAsync(string containerId, CancellationToken cancellationToken)
    {
        if (!images.AnyWithoutBash)
        {
            return shell;
        }

        if (_chosen.TryGetValue(containerId, out var chosen))
        {
            return chosen;
        }

        var container = await docker.Containers.InspectContainerAsync(containerId, cancellationToken);
        var image = container.Config?.Labels?.TryGetValue(SandboxFactory.ImageLabel, out var name) == true ? name : SandboxImages.Default;
        return _chosen[containerId] = images.WithoutBash(image) ? exec : shell;
    }
}
