using Berth.Contracts;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Session containers on the local Docker engine: one per session, made on its first call (or
/// claimed from the <see cref="WarmPool"/>) and kept for the chain, taken back after a restart,
/// and removed when idle. Its rooms: <see cref="SessionRegistry"/> (what this executor holds),
/// <see cref="WarmPool"/>, <see cref="SandboxFactory"/> and <see cref="SandboxSpec"/> (how a
/// container is made), and the <see cref="ICommandRunner"/> that runs commands in them.
/// </summary>
internal sealed partial class DockerSandbox(DockerClient docker, EgressProxies egress, SessionRegistry sessions, WarmPool warm, SandboxFactory factory,
    ICommandRunner runner, IOptions<ExecutorOptions> options, TimeProvider time, ILogger<DockerSandbox> logger)
{
    public const string WorkingDirectory = "/mnt/data";
    public const string WarmLabel = "berth.warm";
    public const string MemoryLabel = "berth.memory-mb";
    public const string ExecutorLabel = "berth.executor";
    public const string ManagedLabel = "berth.managed";
    public const string DeploymentLabel = "berth.deployment";

    private readonly SessionLocks _sessionLocks = new();

    /// <summary>Which files of each held container its tenant uploaded; forgotten with the container.</summary>
    public UploadRecords Uploads => sessions.Uploads;

    /// <summary>A sandbox outside the service's dependency injection, for the benchmark and tests that drive Docker directly.</summary>
    /// <param name="images">The images it serves besides the default; none when not given.</param>
    public static DockerSandbox Create(DockerClient docker, ExecutorOptions settings, SandboxCgroup? cgroup = null, ServedImages? images = null)
    {
        var options = Options.Create(settings);
        var logs = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        var exec = new DockerExec(docker);
        images ??= new ServedImages(options);
        var perExec = new ExecCommandRunner(exec, TimeProvider.System, logs.CreateLogger<ExecCommandRunner>());
        ICommandRunner runner = settings.CommandMode == CommandMode.Shell
            ? new ShellOrExecRunner(new ShellCommandRunner(exec, TimeProvider.System, logs.CreateLogger<ShellCommandRunner>()), perExec, images, docker)
            : perExec;
        var egress = new EgressProxies(docker, options, logs.CreateLogger<EgressProxies>());
        var factory = new SandboxFactory(docker, egress, images, options, logs.CreateLogger<SandboxFactory>(), cgroup);
        return new DockerSandbox(docker, egress, new SessionRegistry(new IdleLimits(settings), new UploadRecords(settings), TimeProvider.System),
            new WarmPool(docker, factory, runner, images, options), factory, runner, options, TimeProvider.System, logs.CreateLogger<DockerSandbox>());
    }

    public int WarmContainers => warm.Count;

    public int LiveContainers => sessions.Count;

    /// <summary>Whether this executor holds a container for the session.</summary>
    public bool Holds(Guid sessionId) => sessions.Holds(sessionId);

    /// <summary>Marks the session busy until disposed: its container is never reaped while a call runs, however long.</summary>
    public IDisposable Use(Guid sessionId) => sessions.Use(sessionId);

    /// <summary>The session containers this executor holds, each with whether a call runs there and how many have begun.</summary>
    public IReadOnlyList<HeldContainer> Held() => sessions.Held();

    /// <summary>
    /// The session's container. A session that has none yet gets a new one; a session that had
    /// one (<paramref name="expectedContainerId"/>) which is gone gets <see cref="ContainerGoneException"/>,
    /// never a fresh, empty container that would silently lose its files.
    /// </summary>
    /// <param name="memoryMb">A memory limit other than the operator's default: such a container comes from the warm pool for that limit, if there is one, or is made to measure.</param>
    /// <param name="network">The network a new container gets: none (null, or <c>disabled</c>), or an allowlist behind the session's proxy. An existing container keeps its own.</param>
    /// <param name="image">The operator's name for the image a new container is made from; null for the default.</param>
    /// <param name="idle">The idle limit of a container it makes, when not <c>Executor:IdleMinutes</c> (a container of <c>POST /v1/containers</c>).</param>
    public async Task<string> EnsureContainerAsync(Guid sessionId, string? expectedContainerId, CancellationToken cancellationToken, int? memoryMb = null,
        NetworkPolicySpec? network = null, string? image = null, TimeSpan? idle = null)
    {
        if (sessions.ContainerOf(sessionId) is { } known)
        {
            return known;
        }

        using (await _sessionLocks.TakeAsync(sessionId, cancellationToken))
        {
            if (sessions.ContainerOf(sessionId) is { } heldMeanwhile)
            {
                return heldMeanwhile;
            }

            // A session this executor does not know has no container here yet: the containers of
            // before a restart were adopted at start-up. Only a known container is looked up.
            var id = expectedContainerId is null ? null : await FindContainerAsync(sessionId, cancellationToken);
            if (id is null && expectedContainerId is not null)
            {
                throw new ContainerGoneException(sessionId, expectedContainerId);
            }

            if (id is null && sessions.Count >= options.Value.MaxContainers)
            {
                throw new PoolFullException(options.Value.InstanceId, options.Value.MaxContainers);
            }

            var custom = memoryMb is { } mb && mb != options.Value.MemoryMb ? memoryMb : null;
            var allowlist = network is { Type: NetworkPolicySpec.Allowlist } ? network : null;
            if (id is null && allowlist is not null)
            {
                // An allowlist session's network and proxy are made before its container, and
                // by name: check first that no other executor holds the session, or their
                // clean-up after a clash would remove that executor's network and proxy.
                id = await HeldAlreadyAsync(sessionId, cancellationToken);
            }

            if (id is null)
            {
                using var span = ExecutorTelemetry.StartContainer("start", sessionId);
                try
                {
                    id = allowlist is null ? await warm.ClaimAsync(sessionId, image, custom ?? options.Value.MemoryMb, cancellationToken) : null;
                    span?.SetTag("berth.container.warm", id is not null);
                    span?.SetTag("berth.container.network", allowlist is null ? NetworkPolicySpec.Disabled : NetworkPolicySpec.Allowlist);
                    id ??= await factory.CreateAsync(SandboxNames.Session(sessionId), cancellationToken, memoryMb: custom, egressFor: allowlist is null ? null : (sessionId, allowlist), image: image);
                }
                catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
                {
                    // The session's name is taken: a first call delivered again (after a broker
                    // restart, say) to another executor on this engine than the one that ran it.
                    id = await HeldAlreadyAsync(sessionId, cancellationToken);
                    if (id is null)
                    {
                        throw;
                    }
                }

                span?.SetTag("berth.container.id", id);
            }

            if (idle is { } limit)
            {
                sessions.SetIdleLimit(sessionId, limit);
            }

            sessions.Hold(sessionId, id);
            return id;
        }
    }

    /// <summary>
    /// The session's container if one already exists on this engine, by its name: this
    /// executor's own (made in an earlier life, say) is taken back; another executor's is that
    /// executor's to run, so <see cref="ContainerHeldElsewhereException"/> names it.
    /// </summary>
    private async Task<string?> HeldAlreadyAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var container = (await ManagedContainersAsync(sessionId, anyExecutor: true, cancellationToken)).FirstOrDefault();
        if (container is null)
        {
            return null;
        }

        var owner = container.Labels.TryGetValue(ExecutorLabel, out var label) ? label : "";
        return owner == options.Value.InstanceId ? await StartedAsync(container, cancellationToken) : throw new ContainerHeldElsewhereException(sessionId, owner);
    }

    /// <summary>The session's container if this executor holds it; never makes one.</summary>
    public async Task<string?> FindOwnContainerAsync(Guid sessionId, CancellationToken cancellationToken) =>
        sessions.ContainerOf(sessionId) ?? await FindContainerAsync(sessionId, cancellationToken);

    /// <summary>Runs one command; a non-zero exit or a timeout is a result, not an exception.</summary>
    /// <param name="stop">Cancelled when the call is: the command is killed and whatever it printed so far returned.</param>
    public Task<CommandOutput> RunAsync(string containerId, string command, int timeoutMs, int maxOutputLength, CancellationToken cancellationToken,
        CancellationToken stop = default) => runner.RunAsync(containerId, command, timeoutMs, maxOutputLength, null, cancellationToken, stop);

    /// <summary>Runs one command, and passes its output to <paramref name="chunks"/> as it arrives, for streaming.</summary>
    public Task<CommandOutput> RunAsync(string containerId, string command, int timeoutMs, int maxOutputLength, OutputChunks? chunks,
        CancellationToken cancellationToken, CancellationToken stop = default) => runner.RunAsync(containerId, command, timeoutMs, maxOutputLength, chunks, cancellationToken, stop);

    /// <inheritdoc cref="ICommandRunner.EndLeftRunningAsync"/>
    public Task<int?> EndLeftRunningAsync(string containerId, CancellationToken cancellationToken) => runner.EndLeftRunningAsync(containerId, cancellationToken);

    /// <summary>Starts warm containers until every warm pool holds its target.</summary>
    public Task<int> RefillWarmAsync(CancellationToken cancellationToken) => warm.RefillAsync(cancellationToken);

    /// <summary>
    /// Takes back the containers this executor made before it restarted, so none is orphaned:
    /// session containers by their name (<c>berth-&lt;session&gt;</c>), warm ones back into the pool.
    /// </summary>
    public async Task<int> AdoptAsync(CancellationToken cancellationToken)
    {
        var adopted = 0;
        foreach (var container in await OwnContainersAsync(null, cancellationToken))
        {
            var name = container.Names.FirstOrDefault()?.TrimStart('/') ?? "";
            if (!OfThisDeployment(container))
            {
                continue;
            }

            if (name.StartsWith(EgressProxies.ProxyNamePrefix, StringComparison.Ordinal))
            {
                await egress.AdoptAsync(container, cancellationToken);
                continue;
            }

            var isWarm = SandboxNames.IsWarm(name);
            if (!isWarm && !SandboxNames.TrySessionOf(name, out _))
            {
                continue;
            }

            await StartedAsync(container, cancellationToken);
            if (isWarm)
            {
                warm.Adopt(container);
            }
            else if (SandboxNames.TrySessionOf(name, out var sessionId))
            {
                sessions.Hold(sessionId, container.ID);
                adopted++;
            }
        }

        sessions.KeepOnlyHeld();
        return adopted;
    }

    /// <summary>
    /// Whether a container with this executor's id is this deployment's: an executor of the same
    /// name under another broker or virtual host may share the engine. Containers from before
    /// deployments were labelled have no label, and stay their executor's.
    /// </summary>
    private bool OfThisDeployment(ContainerListResponse container) =>
        options.Value.Deployment is not { } deployment
        || !container.Labels.TryGetValue(DeploymentLabel, out var label)
        || label == deployment;

    /// <summary>A session whose container should live longer, or shorter, when idle than the executor's default.</summary>
    public void SetIdleLimit(Guid sessionId, TimeSpan idle) => sessions.SetIdleLimit(sessionId, idle);

    /// <summary>Removes a session's container now, and says whether there was one.</summary>
    public async Task<bool> RemoveSessionAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        using (await _sessionLocks.TakeAsync(sessionId, cancellationToken))
        {
            var containerId = await FindOwnContainerAsync(sessionId, cancellationToken);
            if (containerId is null)
            {
                return false;
            }

            await RemoveAsync(containerId, cancellationToken);
            await egress.RemoveAsync(sessionId, cancellationToken);
            Forget(sessionId);
            return true;
        }
    }

    /// <summary>Removes the containers of sessions idle for longer than <paramref name="idle"/> (or their own limit), and returns those sessions.</summary>
    /// <param name="beforeRemoval">Run with each session and its container just before the container goes, under the session's lock.</param>
    public async Task<IReadOnlyList<Guid>> ReapIdleAsync(TimeSpan idle, CancellationToken cancellationToken, Func<Guid, string, Task>? beforeRemoval = null)
    {
        var now = time.GetUtcNow();
        var reaped = new List<Guid>();
        foreach (var (sessionId, lastUsed) in sessions.LastUses())
        {
            var cutoff = now - sessions.IdleLimitOf(sessionId, idle);
            if (lastUsed > cutoff || sessions.Busy(sessionId))
            {
                continue;
            }

            if (sessions.ContainerOf(sessionId) is not { } containerId)
            {
                // A call that never got a container (it failed to start): nothing to remove.
                sessions.ForgetUse(sessionId);
                continue;
            }

            using (await _sessionLocks.TakeAsync(sessionId, cancellationToken))
            {
                // Checked again under the session's lock: a call may have started meanwhile.
                if (sessions.LastUsedOf(sessionId) is { } usedSince && usedSince > cutoff || sessions.Busy(sessionId))
                {
                    continue;
                }

                if (beforeRemoval is not null)
                {
                    await beforeRemoval(sessionId, containerId);
                }

                await RemoveAsync(containerId, cancellationToken);
                await egress.RemoveAsync(sessionId, cancellationToken);
                Forget(sessionId);
                LogReaped(sessionId, containerId[..12], (now - lastUsed).TotalMinutes);
                reaped.Add(sessionId);
            }
        }

        return reaped;
    }

    private async Task RemoveAsync(string containerId, CancellationToken cancellationToken)
    {
        runner.Forget(containerId);
        await docker.Containers.RemoveIfPresentAsync(containerId, cancellationToken);
    }

    private Task<IList<ContainerListResponse>> OwnContainersAsync(Guid? sessionId, CancellationToken cancellationToken) =>
        ManagedContainersAsync(sessionId, anyExecutor: false, cancellationToken);

    /// <summary>Berth's containers on this engine: this executor's only, or any executor's; all of them, or the one named after <paramref name="sessionId"/>.</summary>
    private async Task<IList<ContainerListResponse>> ManagedContainersAsync(Guid? sessionId, bool anyExecutor, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, bool> { [$"{ManagedLabel}=true"] = true };
        if (!anyExecutor)
        {
            labels[$"{ExecutorLabel}={options.Value.InstanceId}"] = true;
        }

        var filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = labels };
        if (sessionId is { } session)
        {
            // Docker matches names as regular expressions, and stores them with a leading slash.
            filters["name"] = new Dictionary<string, bool> { [$"^/{SandboxNames.Session(session)}$"] = true };
        }

        return await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filters }, cancellationToken);
    }

    // Only this executor's own containers: another executor's, even on the same engine, is
    // that executor's to run, and a call that reaches the wrong executor must fail, not share.
    private async Task<string?> FindContainerAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var container = (await OwnContainersAsync(sessionId, cancellationToken)).FirstOrDefault(OfThisDeployment);
        return container is null ? null : await StartedAsync(container, cancellationToken);
    }

    /// <summary>The container's id, once it runs: one stopped (by an engine restart, say) is started again.</summary>
    private async Task<string> StartedAsync(ContainerListResponse container, CancellationToken cancellationToken)
    {
        if (container.State != "running")
        {
            await docker.Containers.StartContainerAsync(container.ID, new ContainerStartParameters(), cancellationToken);
        }

        return container.ID;
    }

    /// <summary>Forgets a container Docker no longer has.</summary>
    public void Forget(Guid sessionId) => sessions.Forget(sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: removed container {ContainerId}, idle for {Minutes:0.#} minutes")]
    private partial void LogReaped(Guid sessionId, string containerId, double minutes);
}

internal sealed record HeldContainer(Guid SessionId, string ContainerId, bool Busy, long Calls);

/// <summary>The session had a container, and it is not there any more (expired, or removed).</summary>
internal sealed class ContainerGoneException(Guid sessionId, string containerId)
    : Exception($"The session's container {containerId[..Math.Min(12, containerId.Length)]} has expired or was removed; its files are gone.")
{
    public Guid SessionId { get; } = sessionId;
}

/// <summary>
/// The session's container has stopped by itself: a command took the whole sandbox down (under
/// gVisor, exhausting its memory or processes can do that). Its files are gone with it.
/// </summary>
internal sealed class ContainerStoppedException(string containerId)
    : Exception($"The session's container {containerId[..Math.Min(12, containerId.Length)]} stopped: a command brought the whole sandbox down (for example by exhausting its memory or processes). Its files are gone; start a new conversation to get a new container.");

/// <summary>
/// The session's container is on this engine, but another executor holds it: a call for it is
/// that executor's to run (a first call delivered twice, to two executors, after a broker restart).
/// </summary>
internal sealed class ContainerHeldElsewhereException(Guid sessionId, string executorId)
    : Exception($"The session's container is held by executor '{executorId}'.")
{
    public Guid SessionId { get; } = sessionId;

    public string ExecutorId { get; } = executorId;
}

/// <summary>This executor holds as many containers as it may; a new session must go elsewhere or wait.</summary>
internal sealed class PoolFullException(string executorId, int capacity)
    : Exception($"Executor {executorId} holds its maximum of {capacity} containers.");
