using Berth.Contracts;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Whether an image the operator listed can serve sessions here: it is on this engine, and a
/// container of it, made to the sandbox's own spec, has the programs Berth runs in every
/// container (the file operations' coreutils and findutils, and bash for the persistent shell).
/// </summary>
internal sealed class ImageCheck(DockerClient docker, IOptions<ExecutorOptions> options)
{
    /// <summary>What the file operations, skills and seeds run; <c>sh</c> is PID 1's own.</summary>
    private static readonly string[] Needed = ["sh", "timeout", "tar", "stat", "find", "rm", "mv", "mkdir", "head", "chmod", "cat", "base64"];

    /// <summary>
    /// Why the image does not serve (null when it does: otherwise what it lacks, in words for the
    /// operator's log), and whether it has bash: in shell mode an image without it still serves,
    /// its containers running a <c>docker exec</c> per command instead of the persistent shell.
    /// </summary>
    public async Task<(string? Problem, bool WithoutBash)> CheckAsync(string reference, CancellationToken cancellationToken)
    {
        try
        {
            await docker.Images.InspectImageAsync(reference, cancellationToken);
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return ($"{reference} is not on this executor's Docker engine", false);
        }

        var settings = options.Value;
        string[] programs = [.. Needed, "bash"];
        var labels = new Dictionary<string, string> { [DockerSandbox.ExecutorLabel] = settings.InstanceId };
        var created = await docker.Containers.CreateContainerAsync(
            SandboxSpec.For($"berth-image-check-{Guid.NewGuid():N}", reference, labels, settings.MemoryMb * 1024L * 1024L, null, settings, null), cancellationToken);
        try
        {
            await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken);
            var exec = await docker.Exec.CreateContainerExecAsync(created.ID, new ContainerExecCreateParameters
            {
                Cmd = ["sh", "-c", "for p in \"$@\"; do command -v \"$p\" > /dev/null 2>&1 || printf '%s ' \"$p\"; done", "check", .. programs],
                AttachStdout = true,
                AttachStderr = true,
            }, cancellationToken);
            using var stream = await docker.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), cancellationToken);
            var (output, _) = await stream.ReadOutputToEndAsync(cancellationToken);
            var missing = output.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var lacking = missing.Where(program => program != "bash").ToList();
            return (lacking.Count > 0 ? $"{reference} lacks {string.Join(' ', lacking)}" : null, missing.Contains("bash"));
        }
        finally
        {
            await docker.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }
    }
}
