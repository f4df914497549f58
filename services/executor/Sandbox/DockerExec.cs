using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Executor.Sandbox;

/// <summary>
/// The <c>docker exec</c> calls the command runners share: an exec made and started, where a
/// container that stopped in between (a command that brought gVisor's sandbox down) is said so
/// with <see cref="ContainerStoppedException"/> instead of Docker's raw 409 or 500; and a signal
/// to the command whose pid the runner left in <see cref="RunningPidFile"/>.
/// </summary>
internal sealed class DockerExec(DockerClient docker)
{
    /// <summary>Where the running command's pid (its process group's id) is left, for a cancel to find.</summary>
    public const string RunningPidFile = "/tmp/.berth-running";

    public DockerClient Docker => docker;

    public async Task<ContainerExecCreateResponse> CreateAsync(string containerId, ContainerExecCreateParameters parameters, CancellationToken cancellationToken)
    {
        try
        {
            return await docker.Exec.CreateContainerExecAsync(containerId, parameters, cancellationToken);
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict && e.ResponseBody?.Contains("is not running", StringComparison.Ordinal) == true)
        {
            throw new ContainerStoppedException(containerId);
        }
    }

    public async Task<MultiplexedStream> StartAsync(string containerId, string execId, CancellationToken cancellationToken)
    {
        try
        {
            return await docker.Exec.StartContainerExecAsync(execId, new ContainerExecStartParameters(), cancellationToken);
        }
        catch (DockerApiException e) when (e.ResponseBody?.Contains("is not running", StringComparison.Ordinal) == true)
        {
            throw new ContainerStoppedException(containerId);
        }
    }

    /// <summary>Sends a signal, through a small exec, to the pid the running command left in the pid file: <paramref name="killArguments"/> name it as <c>$p</c>.</summary>
    public async Task SignalRunningAsync(string containerId, string killArguments, CancellationToken cancellationToken)
    {
        var exec = await docker.Exec.CreateContainerExecAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = ["sh", "-c", $"p=$(cat {RunningPidFile} 2>/dev/null) && [ -n \"$p\" ] && kill {killArguments} 2>/dev/null; true"],
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken);
        // Attached: this client cannot start an exec detached. The script returns at once.
        using var stream = await docker.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), cancellationToken);
        await stream.ReadOutputToEndAsync(cancellationToken);
    }
}
