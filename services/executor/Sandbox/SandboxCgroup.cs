using System.Globalization;
using Docker.DotNet;
using Microsoft.Extensions.Options;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Puts every sandbox under one parent cgroup (<see cref="ExecutorOptions.SandboxCgroupParent"/>),
/// whose CPU is capped below the host's (<see cref="ExecutorOptions.SandboxCpuFraction"/>) and
/// weighted below Berth's own services (<see cref="ExecutorOptions.SandboxCpuWeight"/>): however
/// hard the sandboxes spin, the api, planner, executor and broker keep part of the machine, and
/// a tool call's way through them stays quick. Each sandbox's own cap (<see cref="ExecutorOptions.Cpus"/>)
/// still holds inside the parent.
/// <para>
/// Docker creates the parent but sets no limit on it, so the executor writes the limits itself,
/// at start-up, when it can reach the engine's cgroup file system (it runs on the host as root,
/// with the <c>cgroupfs</c> driver, cgroup v1 or v2). Where it cannot (in a container, or with
/// the <c>systemd</c> driver, where the parent is a slice systemd owns) it says so once, with
/// the command that sets the same limits, and the sandboxes still share the one parent.
/// </para>
/// </summary>
internal sealed partial class SandboxCgroup(DockerClient docker, IOptions<ExecutorOptions> options, ILogger<SandboxCgroup> logger, string cgroupRoot = SandboxCgroup.HostRoot)
    : IHostedService
{
    public const string HostRoot = "/sys/fs/cgroup";

    // CFS's default period; the quota is a share of it.
    private const long PeriodMicroseconds = 100_000;

    /// <summary>The parent Docker gets for each sandbox; null for Docker's own default.</summary>
    public string? Parent { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var name = options.Value.SandboxCgroupParent?.Trim('/', ' ');
        if (string.IsNullOrEmpty(name))
        {
            return;
        }

        var engine = await docker.System.GetSystemInfoAsync(cancellationToken);
        if (string.Equals(engine.CgroupDriver, "systemd", StringComparison.OrdinalIgnoreCase))
        {
            Parent = name.EndsWith(".slice", StringComparison.Ordinal) ? name : name + ".slice";
            LogSetByHand(Parent, SystemdCommand(Parent));
            return;
        }

        Parent = "/" + name;
        var written = engine.CgroupVersion == "2" ? TryWriteV2(name) : TryWriteV1(name);
        if (written is null)
        {
            LogApplied(Parent, options.Value.SandboxCpuFraction, Environment.ProcessorCount, options.Value.SandboxCpuWeight);
        }
        else
        {
            LogNotApplied(Parent, written);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The quota over a period of <see cref="PeriodMicroseconds"/>; -1 (none) when the fraction is the whole machine.</summary>
    public static long QuotaMicroseconds(double fraction, int processors) =>
        fraction >= 1 ? -1 : Math.Max(1000, (long)Math.Round(fraction * processors * PeriodMicroseconds));

    /// <summary>cgroup v2's weight (1–10000, 100 by default) as v1's shares (2–262144, 1024 by default).</summary>
    public static long Shares(int weight) => Math.Clamp(weight * 1024L / 100, 2, 262_144);

    /// <returns>Null when done; else why not.</returns>
    private string? TryWriteV1(string name)
    {
        var settings = options.Value;
        var directory = Path.Combine(cgroupRoot, "cpu", name);
        return TryWrite(directory,
            ("cpu.cfs_period_us", PeriodMicroseconds.ToString(CultureInfo.InvariantCulture)),
            ("cpu.cfs_quota_us", QuotaMicroseconds(settings.SandboxCpuFraction, Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture)),
            ("cpu.shares", Shares(settings.SandboxCpuWeight).ToString(CultureInfo.InvariantCulture)));
    }

    private string? TryWriteV2(string name)
    {
        var settings = options.Value;
        var quota = QuotaMicroseconds(settings.SandboxCpuFraction, Environment.ProcessorCount);
        return TryWrite(Path.Combine(cgroupRoot, name),
            ("cpu.max", $"{(quota < 0 ? "max" : quota.ToString(CultureInfo.InvariantCulture))} {PeriodMicroseconds.ToString(CultureInfo.InvariantCulture)}"),
            ("cpu.weight", settings.SandboxCpuWeight.ToString(CultureInfo.InvariantCulture)));
    }

    private static string? TryWrite(string directory, params (string File, string Value)[] limits)
    {
        try
        {
            Directory.CreateDirectory(directory);
            foreach (var (file, value) in limits)
            {
                File.WriteAllText(Path.Combine(directory, file), value);
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{directory}: {e.Message}";
        }
    }

    private string SystemdCommand(string slice)
    {
        var settings = options.Value;
        var quota = settings.SandboxCpuFraction >= 1 ? "" : string.Create(CultureInfo.InvariantCulture, $" CPUQuota={settings.SandboxCpuFraction * Environment.ProcessorCount * 100:0}%");
        return $"systemctl set-property {slice}{quota} CPUWeight={settings.SandboxCpuWeight.ToString(CultureInfo.InvariantCulture)}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandboxes run under {Parent}: at most {Fraction:P0} of {Processors} CPUs between them, at CPU weight {Weight}")]
    private partial void LogApplied(string parent, double fraction, int processors, int weight);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandboxes run under {Parent}, but its CPU limits could not be set ({Reason}): sandboxes together may take the whole machine. Set them on the host, or run the executor on the host as root")]
    private partial void LogNotApplied(string parent, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandboxes run under the systemd slice {Parent}, which systemd owns: set its CPU limits on the host with `{Command}`")]
    private partial void LogSetByHand(string parent, string command);
}
