using Berth.Contracts;
using Docker.DotNet.Models;

namespace Berth.Executor.Sandbox;

/// <summary>
/// What a sandbox container is made with: hardened from the start (no network unless an
/// allowlist gives it one behind its proxy, every capability dropped, <c>no-new-privileges</c>,
/// a non-root user, a read-only root with size-limited tmpfs, memory, CPU and PID limits, no
/// log), with a PID 1 that reaps orphans and cannot be killed from inside.
/// </summary>
internal static class SandboxSpec
{
    /// <param name="image">The image, as the engine knows it.</param>
    /// <param name="network">The session's internal network, behind its egress proxy; null for none at all.</param>
    public static CreateContainerParameters For(string name, string image, IDictionary<string, string> labels, long memoryBytes, string? network, ExecutorOptions settings,
        string? cgroupParent) => new()
        {
            Name = name,
            Image = image,

            // PID 1 reaps the orphans of finished commands (the shell's wait collects any child),
            // which would otherwise pile up as zombies against the PID limit. Being PID 1, it
            // cannot be killed from inside: `kill -9 -1` ends every command, not the container.
            Cmd = ["sh", "-c", "trap '' TERM INT HUP; while :; do sleep 3600 & wait; done"],
            User = settings.User,
            Env = ["HOME=" + DockerSandbox.WorkingDirectory, .. network is null ? [] : EgressProxies.ProxyEnvironment()],
            WorkingDir = DockerSandbox.WorkingDirectory,
            Labels = labels,
            NetworkDisabled = network is null,
            HostConfig = new HostConfig
            {
                NetworkMode = network ?? "none",

                // Only the proxy's name resolves on the session's network. Anything else goes
                // nowhere (no route out), so a lookup gives up after a second instead of many.
                DNSOptions = network is null ? [] : ["timeout:1", "attempts:1"],
                CapDrop = ["ALL"],
                CapAdd = [.. settings.CapAdd],
                Privileged = settings.Privileged,
                SecurityOpt = ["no-new-privileges"],
                Runtime = string.IsNullOrWhiteSpace(settings.Runtime) ? "" : settings.Runtime,
                ReadonlyRootfs = true,
                Tmpfs = new Dictionary<string, string>
                {
                    [DockerSandbox.WorkingDirectory] = $"rw,nosuid,nodev,size={settings.WorkspaceMb}m,mode=1777",
                    ["/tmp"] = $"rw,nosuid,nodev,size={settings.TmpMb}m,mode=1777",

                    // Root's, so that skills unpacked there cannot be changed by the commands that read them.
                    [ContainerSkillSeed.SkillsDirectory] = $"rw,nosuid,nodev,size={settings.SkillsMb}m,mode=0755",
                },
                Memory = memoryBytes,
                MemorySwap = memoryBytes,
                NanoCPUs = (long)(settings.Cpus * 1_000_000_000),
                CgroupParent = cgroupParent ?? "",
                PidsLimit = settings.PidsLimit,

                // PID 1 belongs to the sandbox user, so a command may write to its output
                // (/proc/1/fd/1): with a log driver that output would fill the host's disk.
                LogConfig = new LogConfig { Type = "none" },
            },
        };
}
