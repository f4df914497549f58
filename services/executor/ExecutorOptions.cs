using System.ComponentModel.DataAnnotations;

namespace Berth.Executor;

/// <summary>How this executor runs sandboxes. Section <c>Executor</c>; set by the operator, never by a request.</summary>
internal sealed class ExecutorOptions : IValidatableObject
{
    public const string Section = "Executor";

    public const string InstanceIdPattern = "^[a-z0-9][a-z0-9-]{0,62}$";
    public const string InstanceIdRule = "Executor:InstanceId must be lower-case letters, digits and dashes, at most 63 characters.";

    /// <summary>
    /// This executor's name in the pool; its own queue and its containers' labels carry it, and
    /// no two live executors ever share one (see <see cref="Identity.ExecutorIdentity"/>). Left
    /// empty, the executor takes the first free slot of its host, <c>&lt;host name&gt;-1</c>,
    /// <c>-2</c>…, the same one after a restart; set, it is that id, and the executor refuses to
    /// start while another live process holds it. A restarted executor re-adopts the containers
    /// and finds the calls queued under its id.
    /// </summary>
    [Required]
    [RegularExpression(InstanceIdPattern, ErrorMessage = InstanceIdRule)]
    public string InstanceId { get; set; } = "";

    /// <summary>
    /// The deployment this executor's containers belong to: by default the broker's host, port
    /// and virtual host, as the executor finds them at start-up. Containers carry it, and an
    /// executor only ever cleans up containers of its own deployment. Null (the sandbox outside
    /// the service) leaves containers unlabelled, and no executor's clean-up touches them.
    /// </summary>
    public string? Deployment { get; set; }

    /// <summary>
    /// How long the containers of an executor that is gone for good (no live process holds its
    /// id, and its queue has expired) wait before another executor of the deployment on the same
    /// Docker engine removes them.
    /// </summary>
    [Range(1, 604_800)]
    public int OrphanGraceSeconds { get; set; } = 600;

    /// <summary>
    /// Where the executor keeps what must outlive its process: the record of the calls it started
    /// and finished, under <c>&lt;InstanceId&gt;/calls</c>. Empty: <c>berth-executor</c> in the
    /// system's temporary directory, which survives a restart of the process but not of the
    /// machine; give a volume in a container deployment. No sandbox mounts it.
    /// </summary>
    public string? StateDirectory { get; set; }

    public string StateDirectoryPath => string.IsNullOrWhiteSpace(StateDirectory) ? Path.Combine(Path.GetTempPath(), "berth-executor") : StateDirectory;

    /// <summary>The sandbox image. Build the default one with sandbox/build-image.sh.</summary>
    [Required]
    public string Image { get; set; } = "berth-sandbox:latest";

    /// <summary>The Docker engine; empty means DOCKER_HOST, then unix:///var/run/docker.sock.</summary>
    public string? DockerEndpoint { get; set; }

    [Range(100, 3_600_000)]
    public int DefaultTimeoutMs { get; set; } = 10_000;

    /// <summary>The longest <c>timeout_ms</c> a model may ask for; longer requests are cut to this.</summary>
    [Range(100, 3_600_000)]
    public int MaxTimeoutMs { get; set; } = 600_000;

    [Range(1, 16 * 1024 * 1024)]
    public int DefaultMaxOutputLength { get; set; } = 16_384;

    /// <summary>The largest <c>max_output_length</c> a model may ask for, per stream of each command.</summary>
    [Range(1, 16 * 1024 * 1024)]
    public int MaxOutputLengthLimit { get; set; } = 1_048_576;

    /// <summary>
    /// Characters of output one call's completion carries, across all its commands; more is cut,
    /// head and tail kept, with a marker. With the output held back for streams (a quarter of
    /// this), the message stays below RabbitMQ 4's 16 MiB even when every character needs
    /// escaping (six bytes each).
    /// </summary>
    [Range(1_000, 2_000_000)]
    public int MaxCallOutputChars { get; set; } = 2_000_000;

    [Range(16, 1024 * 1024)]
    public int MemoryMb { get; set; } = 512;

    /// <summary>The most memory a container made by <c>POST /v1/containers</c> may ask for (<c>memory_limit</c>).</summary>
    [Range(16, 1024 * 1024)]
    public int MaxMemoryMb { get; set; } = 4096;

    [Range(0.01, 64)]
    public double Cpus { get; set; } = 1.0;

    [Range(8, 100_000)]
    public int PidsLimit { get; set; } = 256;

    /// <summary>
    /// The cgroup every sandbox is put under, so that together they can be held back (see
    /// <see cref="Sandbox.SandboxCgroup"/>); with Docker's systemd driver, a slice of that name.
    /// Empty: Docker's own default, and no limit on sandboxes together.
    /// </summary>
    [RegularExpression("^[A-Za-z0-9_.-]{0,100}$", ErrorMessage = "Executor:SandboxCgroupParent must be one cgroup name: letters, digits, '_', '.' and '-'.")]
    public string? SandboxCgroupParent { get; set; } = "berth-sandboxes";

    /// <summary>
    /// The share of the host's CPUs all sandboxes together may use; 1 (the default) for no cap.
    /// A cap keeps room for the services whatever the sandboxes do, but every sandbox then waits
    /// once the cap is used up in a period, so a spinning one slows its neighbours more
    /// (measured in bench/NeighbourBench.cs; see docs/benchmarks.md).
    /// </summary>
    [Range(0.05, 1.0)]
    public double SandboxCpuFraction { get; set; } = 1.0;

    /// <summary>
    /// The sandboxes' CPU weight together, against every other cgroup (Berth's services run with
    /// the default, 100), in cgroup v2 units, 1–10000. The default, 100, is what Docker's own
    /// parent has. Lower, the services run first under contention, but a sandbox then starves
    /// while the host is busy (a CI run saw new sessions' first commands time out at weight 20
    /// while twenty containers were being made), and the benchmark measured no gain for a
    /// neighbour's latency; what holds back a spinning session is <see cref="BackgroundCpuSeconds"/>.
    /// </summary>
    [Range(1, 10_000)]
    public int SandboxCpuWeight { get; set; } = 100;

    /// <summary>
    /// The CPU seconds a session's processes may use, over its life, while none of its calls
    /// runs: what its commands left running in the background. Past it, those processes are
    /// ended, and again whenever more keep the CPU busy; the session's next call says so. A
    /// spinning neighbour slows every other session on the host. 0 turns the watch off.
    /// </summary>
    [Range(0, 1_000_000)]
    public double BackgroundCpuSeconds { get; set; } = 60;

    /// <summary>How often idle session containers' CPU is looked at: one Docker statistics reading each.</summary>
    [Range(1, 3600)]
    public int BackgroundCheckSeconds { get; set; } = 5;

    /// <summary>Tool calls this executor runs at once, across all its sessions.</summary>
    [Range(1, 1024)]
    public int ConcurrentToolCalls { get; set; } = 16;

    /// <summary>File operations (uploads, downloads, listings) one executor runs at once, on slots of their own.</summary>
    [Range(1, 256)]
    public int ConcurrentFileOperations { get; set; } = 4;

    /// <summary>
    /// The longest a file operation may take, in the container and on the executor, before it is
    /// killed and answered with <c>timeout</c>: a FIFO named like the file must not hold a slot for ever.
    /// </summary>
    [Range(1, 3600)]
    public int FileOperationSeconds { get; set; } = 30;

    /// <summary>The largest workspace snapshot, in megabytes: a workspace whose archive is larger is refused (<c>snapshot_too_large</c>).</summary>
    [Range(1, 65536)]
    public int MaxSnapshotMb { get; set; } = 512;

    /// <summary>How long a snapshot is kept, in days, before it is deleted.</summary>
    [Range(1, 3650)]
    public int SnapshotRetentionDays { get; set; } = 7;

    /// <summary>
    /// Keep an idle container's workspace as a snapshot before it is removed, so that a later
    /// response of its session gets a new container restored from it instead of <c>container_expired</c>.
    /// </summary>
    public bool SnapshotOnExpiry { get; set; }

    /// <summary>The longest taking or restoring one snapshot may take, in seconds.</summary>
    [Range(1, 3600)]
    public int SnapshotSeconds { get; set; } = 300;

    /// <summary>
    /// The most session containers this executor holds. A new session that finds it full goes
    /// back to the pool's queue for another executor, for at most <see cref="CapacityWaitSeconds"/>.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxContainers { get; set; } = 50;

    /// <summary>How long a new session may wait for room in the pool before its call fails with <c>pool_full</c>.</summary>
    [Range(1, 86_400)]
    public int CapacityWaitSeconds { get; set; } = 300;

    /// <summary>Containers kept started and unassigned, so a new session's first command does not wait for <c>docker create</c>.</summary>
    [Range(0, 1000)]
    public int WarmContainers { get; set; } = 2;

    /// <summary>
    /// Warm containers for memory limits other than <see cref="MemoryMb"/> (those a
    /// <c>POST /v1/containers</c> may ask for with <c>memory_limit</c>), by limit in MB, e.g.
    /// <c>Executor:WarmContainersByMemoryMb:4096=1</c>.
    /// </summary>
    public Dictionary<int, int> WarmContainersByMemoryMb { get; set; } = [];

    /// <summary>How many warm containers to keep, by memory limit in MB.</summary>
    public IReadOnlyDictionary<int, int> WarmPools()
    {
        var pools = new Dictionary<int, int>(WarmContainersByMemoryMb) { [MemoryMb] = WarmContainers };
        return pools;
    }

    [Range(1, 300)]
    public int HeartbeatSeconds { get; set; } = 2;

    /// <summary>
    /// How long a session's first call, delivered again with no container for it on this
    /// executor's engine, waits for the executors on other engines to say whether one of them
    /// took it. Silence past this ends the call <c>interrupted</c> rather than run it a second time.
    /// Long enough for a live executor to be back on the broker: after a lost connection
    /// MassTransit tries again after 3 s, then at growing intervals up to 30 s.
    /// </summary>
    [Range(1, 300)]
    public int HolderWaitSeconds { get; set; } = 30;

    /// <summary>A session container unused this long is removed, as OpenAI's expire after 20 minutes.</summary>
    [Range(1, 10_080)]
    public int IdleMinutes { get; set; } = 20;

    /// <summary>
    /// How often a listed image this executor does not serve yet (not on the engine, or lacking
    /// what Berth needs) is checked again, so that one pulled or fixed later is served without a
    /// restart; 0 checks only at start-up.
    /// </summary>
    [Range(0, 86_400)]
    public int ImageCheckSeconds { get; set; } = 60;

    /// <summary>How often idle containers are looked for.</summary>
    [Range(1, 3600)]
    public int SweepSeconds { get; set; } = 30;

    /// <summary>This executor's own queue is deleted after it has had no consumer this long (it is gone for good).</summary>
    [Range(1, 10_080)]
    public int QueueExpiryMinutes { get; set; } = 10;

    /// <summary>The user commands run as inside the sandbox. Root is refused unless <see cref="InsecureAllowWeakIsolation"/>.</summary>
    [Required]
    public string User { get; set; } = "1000:1000";

    /// <summary>
    /// Size of the writable workspace, <c>/mnt/data</c>: a tmpfs, so a command that fills it gets
    /// "No space left on device" and nothing else is touched. It counts against the container's memory.
    /// </summary>
    [Range(1, 1024 * 1024)]
    public int WorkspaceMb { get; set; } = 256;

    /// <summary>Size of <c>/tmp</c>, also a tmpfs; the rest of the root file system is read-only.</summary>
    [Range(1, 1024 * 1024)]
    public int TmpMb { get; set; } = 64;

    /// <summary>
    /// Size of <c>/mnt/skills</c>, a tmpfs owned by root that the sandbox user can read and not
    /// write: the executor unpacks a session's skills there. It takes memory only as skills fill it.
    /// </summary>
    [Range(1, 1024 * 1024)]
    public int SkillsMb { get; set; } = 64;

    /// <summary>The OCI runtime for sandboxes, e.g. <c>runsc</c> for gVisor; empty means the engine's default (runc).</summary>
    public string? Runtime { get; set; }

    /// <summary>
    /// How commands run: <c>Shell</c>, through one long-lived shell per container (a few
    /// milliseconds per command), or <c>Exec</c>, one <c>docker exec</c> per command (tens of
    /// milliseconds; the fallback if a sandbox image's shell misbehaves).
    /// </summary>
    public CommandMode CommandMode { get; set; } = CommandMode.Shell;

    /// <summary>
    /// The Docker network through which sessions' egress proxies reach out; unset, no session
    /// gets any network, whatever it asks. Only proxies join it: each session with an
    /// <c>allowlist</c> policy gets an internal network of its own, shared with its proxy alone.
    /// </summary>
    public string? EgressNetwork { get; set; }

    /// <summary>
    /// Sessions with a network of their own (an <c>allowlist</c> policy) this executor holds at
    /// once. Each network takes one of the Docker engine's address pools, of which a default
    /// engine has about thirty for every user of it: past them, no network can be made on the
    /// engine at all. A session over the limit fails with <c>network_unavailable</c>, naming it.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxEgressNetworks { get; set; } = 16;

    /// <summary>The proxy image (tinyproxy with a default-deny filter); <c>./berth setup</c> builds it from sandbox/egress-proxy.</summary>
    [Required]
    public string EgressProxyImage { get; set; } = "berth-egress-proxy:latest";

    /// <summary>
    /// Lets an allowed domain reach a non-public address (loopback, private, link-local such as
    /// 169.254.169.254). Off, the default: the proxy refuses a name that resolves to one, so an
    /// allowed name cannot be pointed at the operator's own networks. On for allowed hosts that
    /// live on private networks (an internal package mirror).
    /// </summary>
    public bool EgressAllowPrivateNetworks { get; set; }

    /// <summary>Capabilities to give back to sandboxes. Any at all is refused unless <see cref="InsecureAllowWeakIsolation"/>.</summary>
    public string[] CapAdd { get; set; } = [];

    /// <summary>Runs sandboxes privileged. Refused unless <see cref="InsecureAllowWeakIsolation"/>.</summary>
    public bool Privileged { get; set; }

    /// <summary>
    /// Lets the executor start with settings that weaken the sandbox (root, added capabilities,
    /// privileged). For debugging on a trusted machine only; the executor says so loudly at start-up.
    /// </summary>
    public bool InsecureAllowWeakIsolation { get; set; }

    /// <summary>What in these settings weakens the sandbox, if anything.</summary>
    public IEnumerable<string> WeakIsolation()
    {
        if (Privileged)
        {
            yield return "Executor:Privileged is true";
        }

        if (CapAdd.Length > 0)
        {
            yield return $"Executor:CapAdd adds {string.Join(", ", CapAdd)}";
        }

        if (User.Trim() is "root" or "0" || User.StartsWith("0:", StringComparison.Ordinal) || User.StartsWith("root:", StringComparison.Ordinal))
        {
            yield return "Executor:User is root";
        }
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var weak = WeakIsolation().ToList();
        if (weak.Count > 0 && !InsecureAllowWeakIsolation)
        {
            yield return new ValidationResult(
                $"These settings weaken the sandbox: {string.Join("; ", weak)}. Remove them, or set Executor:InsecureAllowWeakIsolation=true if you accept that commands written by a model run with them.",
                [nameof(InsecureAllowWeakIsolation)]);
        }

        if (WorkspaceMb + TmpMb >= MemoryMb)
        {
            yield return new ValidationResult(
                "Executor:WorkspaceMb plus Executor:TmpMb must stay below Executor:MemoryMb: both are tmpfs, and count against the container's memory.",
                [nameof(WorkspaceMb)]);
        }

        foreach (var (memory, count) in WarmContainersByMemoryMb)
        {
            if (memory < 16 || memory > MaxMemoryMb || count is < 0 or > 1000)
            {
                yield return new ValidationResult(
                    $"Executor:WarmContainersByMemoryMb:{memory} must be a limit from 16 to Executor:MaxMemoryMb ({MaxMemoryMb}), with 0 to 1000 containers.",
                    [nameof(WarmContainersByMemoryMb)]);
            }
        }

        if (DefaultTimeoutMs > MaxTimeoutMs)
        {
            yield return new ValidationResult("Executor:DefaultTimeoutMs must not exceed Executor:MaxTimeoutMs.", [nameof(DefaultTimeoutMs)]);
        }

        if (DefaultMaxOutputLength > MaxOutputLengthLimit)
        {
            yield return new ValidationResult("Executor:DefaultMaxOutputLength must not exceed Executor:MaxOutputLengthLimit.", [nameof(DefaultMaxOutputLength)]);
        }
    }
}

internal enum CommandMode
{
    Shell,
    Exec,
}
