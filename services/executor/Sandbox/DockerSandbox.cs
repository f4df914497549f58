using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Berth.Contracts;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Session containers on the local Docker engine: one per session, created on its first call
/// and kept for the chain, with commands run by <c>docker exec</c> under <c>sh -c</c>.
/// </summary>
public sealed partial class DockerSandbox(DockerClient docker, EgressProxies egress, IOptions<ExecutorOptions> options, ILogger<DockerSandbox> logger,
    SandboxCgroup? cgroup = null)
{
    public const string WorkingDirectory = "/mnt/data";
    public const string WarmLabel = "berth.warm";
    public const string MemoryLabel = "berth.memory-mb";
    private const string SessionNamePrefix = "berth-";
    private const string WarmNamePrefix = "berth-warm-";
    public const string ExecutorLabel = "berth.executor";
    public const string ManagedLabel = "berth.managed";
    public const string DeploymentLabel = "berth.deployment";

    // Grace beyond a command's own timeout before the executor stops waiting on Docker itself.
    private static readonly TimeSpan ReadGrace = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<Guid, string> _containers = new();
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _lastUsed = new();
    private readonly SessionLocks _sessionLocks = new();
    private readonly ConcurrentDictionary<Guid, SessionUse> _use = new();
    // Warm containers by their memory limit in MB.
    private readonly ConcurrentDictionary<int, ConcurrentQueue<string>> _warm = new();
    private readonly IdleLimits _idleLimits = new(options.Value);

    /// <summary>Which files of each held container its tenant uploaded; forgotten with the container.</summary>
    public UploadRecords Uploads { get; } = new(options.Value);

    /// <summary>A sandbox outside the service's dependency injection, for the benchmark and tests that drive Docker directly.</summary>
    public static DockerSandbox Create(DockerClient docker, ExecutorOptions settings, SandboxCgroup? cgroup = null)
    {
        var options = Options.Create(settings);
        return new DockerSandbox(docker, new EgressProxies(docker, options, Microsoft.Extensions.Logging.Abstractions.NullLogger<EgressProxies>.Instance), options,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<DockerSandbox>.Instance, cgroup);
    }

    public int WarmContainers => _warm.Values.Sum(pool => pool.Count);

    private ConcurrentQueue<string> WarmPool(int memoryMb) => _warm.GetOrAdd(memoryMb, _ => new ConcurrentQueue<string>());

    public int LiveContainers => _containers.Count;

    /// <summary>Whether this executor holds a container for the session.</summary>
    public bool Holds(Guid sessionId) => _containers.ContainsKey(sessionId);

    /// <summary>Marks the session busy until disposed: its container is never reaped while a call runs, however long.</summary>
    public IDisposable Use(Guid sessionId)
    {
        var use = _use.GetOrAdd(sessionId, _ => new SessionUse());
        use.Begin();
        _lastUsed[sessionId] = DateTimeOffset.UtcNow;
        return new Lease(this, sessionId, use);
    }

    private sealed class Lease(DockerSandbox sandbox, Guid sessionId, SessionUse use) : IDisposable
    {
        public void Dispose()
        {
            sandbox._lastUsed[sessionId] = DateTimeOffset.UtcNow;
            use.End();
        }
    }

    /// <summary>How many calls run in a session now, and how many have begun in all.</summary>
    private sealed class SessionUse
    {
        private int _running;
        private long _begun;

        public bool Busy => Volatile.Read(ref _running) > 0;

        public long Begun => Interlocked.Read(ref _begun);

        public void Begin()
        {
            Interlocked.Increment(ref _running);
            Interlocked.Increment(ref _begun);
        }

        public void End() => Interlocked.Decrement(ref _running);
    }

    private bool Busy(Guid sessionId) => _use.TryGetValue(sessionId, out var use) && use.Busy;

    /// <summary>The session containers this executor holds, each with whether a call runs there and how many have begun.</summary>
    public IReadOnlyList<HeldContainer> Held() =>
        [.. _containers.Select(held => _use.TryGetValue(held.Key, out var use)
            ? new HeldContainer(held.Key, held.Value, use.Busy, use.Begun)
            : new HeldContainer(held.Key, held.Value, false, 0))];

    /// <summary>
    /// The session's container. A session that has none yet gets a new one; a session that had
    /// one (<paramref name="expectedContainerId"/>) which is gone gets <see cref="ContainerGoneException"/>,
    /// never a fresh, empty container that would silently lose its files.
    /// </summary>
    /// <param name="memoryMb">A memory limit other than the operator's default: such a container comes from the warm pool for that limit, if there is one, or is made to measure.</param>
    /// <param name="network">The network a new container gets: none (null, or <c>disabled</c>), or an allowlist behind the session's proxy. An existing container keeps its own.</param>
    public async Task<string> EnsureContainerAsync(Guid sessionId, string? expectedContainerId, CancellationToken cancellationToken, int? memoryMb = null,
        NetworkPolicySpec? network = null)
    {
        if (_containers.TryGetValue(sessionId, out var known))
        {
            return known;
        }

        using (await _sessionLocks.TakeAsync(sessionId, cancellationToken))
        {
            if (_containers.TryGetValue(sessionId, out known))
            {
                return known;
            }

            // A session this executor does not know has no container here yet: the containers of
            // before a restart were adopted at start-up. Only a known container is looked up.
            var id = expectedContainerId is null ? null : await FindContainerAsync(sessionId, cancellationToken);
            if (id is null && expectedContainerId is not null)
            {
                throw new ContainerGoneException(sessionId, expectedContainerId);
            }

            if (id is null && _containers.Count >= options.Value.MaxContainers)
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
                    id = allowlist is null ? await ClaimWarmAsync(sessionId, custom ?? options.Value.MemoryMb, cancellationToken) : null;
                    span?.SetTag("berth.container.warm", id is not null);
                    span?.SetTag("berth.container.network", allowlist is null ? NetworkPolicySpec.Disabled : NetworkPolicySpec.Allowlist);
                    id ??= await CreateContainerAsync(SessionName(sessionId), cancellationToken, memoryMb: custom, egressFor: allowlist is null ? null : (sessionId, allowlist));
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

            _containers[sessionId] = id;
            _lastUsed.TryAdd(sessionId, DateTimeOffset.UtcNow);
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

    private const string RunningPidFile = "/tmp/.berth-running";

    /// <summary>
    /// Kills the command an exec runs. The signal goes to its <c>timeout</c>, which passes it to
    /// the command's whole process group and sends KILL two seconds later to whatever ignored it.
    /// The container itself stays.
    /// </summary>
    private Task KillRunningAsync(string containerId, CancellationToken cancellationToken) =>
        SignalRunningAsync(containerId, "-TERM \"$p\"", cancellationToken);

    /// <summary>Sends a signal, through a small exec, to the pid the running command left in the pid file: <paramref name="killArguments"/> name it as <c>$p</c>.</summary>
    private async Task SignalRunningAsync(string containerId, string killArguments, CancellationToken cancellationToken)
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

    /// <summary>
    /// Kills an exec's command until Docker says it has ended: the signal goes through the pid the
    /// command wrote when it started, which a cancel can beat by a few milliseconds, so it is tried again.
    /// </summary>
    private async Task StopExecAsync(string containerId, string execId, CancellationToken cancellationToken)
    {
        // A cancel can land while the exec is still starting: it is not yet running, and has no
        // exit code. So "not running" alone proves nothing; only an exit code, or a long enough
        // wait without the exec ever running, ends the watch.
        DateTimeOffset? quietSince = null;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var inspect = await docker.Exec.InspectContainerExecAsync(execId, cancellationToken);
            if (inspect.Running)
            {
                quietSince = null;
                await KillRunningAsync(containerId, cancellationToken);
            }
            else if (inspect.ExitCode is not null && inspect.Pid != 0)
            {
                return;
            }
            else if ((quietSince ??= DateTimeOffset.UtcNow) < DateTimeOffset.UtcNow - NeverStarted)
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static readonly TimeSpan NeverStarted = TimeSpan.FromSeconds(2);

    /// <summary>The session's container if this executor holds it; never makes one.</summary>
    public async Task<string?> FindOwnContainerAsync(Guid sessionId, CancellationToken cancellationToken) =>
        _containers.GetValueOrDefault(sessionId) ?? await FindContainerAsync(sessionId, cancellationToken);

    /// <summary>Runs one command; a non-zero exit or a timeout is a result, not an exception.</summary>
    /// <param name="stop">Cancelled when the call is: the command is killed and whatever it printed so far returned.</param>
    public Task<CommandOutput> RunAsync(string containerId, string command, int timeoutMs, int maxOutputLength, CancellationToken cancellationToken,
        CancellationToken stop = default) => RunAsync(containerId, command, timeoutMs, maxOutputLength, null, cancellationToken, stop);

    /// <summary>Runs one command, and passes its output to <paramref name="chunks"/> as it arrives, for streaming.</summary>
    public async Task<CommandOutput> RunAsync(string containerId, string command, int timeoutMs, int maxOutputLength, OutputChunks? chunks,
        CancellationToken cancellationToken, CancellationToken stop = default)
    {
        // coreutils' timeout puts the command in its own process group and signals the whole
        // group: TERM at the limit, KILL two seconds later, so background children die too.
        // Its pid (the group's id) is left where a cancel can find it.
        if (options.Value.CommandMode == CommandMode.Shell)
        {
            return await RunInShellAsync(containerId, command, timeoutMs, maxOutputLength, chunks, cancellationToken, stop);
        }

        var seconds = (timeoutMs / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
        var exec = await CreateExecAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = ["sh", "-c", $"echo $$ > {RunningPidFile} 2>/dev/null; exec timeout -k 2 {seconds} sh -c \"$1\"", "sh", command],
            WorkingDir = WorkingDirectory,
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken);

        var stdout = new OutputCapture(maxOutputLength);
        var stderr = new OutputCapture(maxOutputLength);
        var clock = Stopwatch.StartNew();

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stop);
        deadline.CancelAfter(TimeSpan.FromMilliseconds(timeoutMs) + ReadGrace);
        try
        {
            using var stream = await StartExecAsync(containerId, exec.ID, deadline.Token);
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, deadline.Token);
                if (read.EOF)
                {
                    break;
                }

                var isStderr = read.Target == MultiplexedStream.TargetStream.StandardError;
                (isStderr ? stderr : stdout).Append(buffer.AsSpan(0, read.Count));
                chunks?.Write(isStderr, buffer.AsSpan(0, read.Count));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException
            && stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // However the read gave up (a cancelled read may surface as an I/O error), the command is killed.
            await StopExecAsync(containerId, exec.ID, cancellationToken);
            return Result(stdout, stderr, exitCode: null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogStuckExec(containerId, exec.ID);
            return Result(stdout, stderr, exitCode: null, timedOut: true);
        }

        var exitCode = await docker.Exec.WaitForExitCodeAsync(exec.ID, cancellationToken);

        // timeout exits 124 after TERM, 137 after KILL; a command that exits so by itself, early, has not timed out.
        return Result(stdout, stderr, exitCode, timedOut: exitCode is 124 or 137 && clock.ElapsedMilliseconds >= timeoutMs);
    }

    /// <summary>What a command printed and how it ended; one that ran out of time has no exit code.</summary>
    private static CommandOutput Result(OutputCapture stdout, OutputCapture stderr, int? exitCode, bool timedOut = false) => new()
    {
        Stdout = stdout.ToString(),
        Stderr = stderr.ToString(),
        ExitCode = timedOut ? null : exitCode,
        TimedOut = timedOut,
    };

    /// <summary>
    /// Starts an exec made a moment ago. The container can stop in between (a command that brings
    /// gVisor's sandbox down does), and Docker then answers 409 or 500 "is not running".
    /// </summary>
    private async Task<MultiplexedStream> StartExecAsync(string containerId, string execId, CancellationToken cancellationToken)
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

    private async Task<ContainerExecCreateResponse> CreateExecAsync(string containerId, ContainerExecCreateParameters parameters, CancellationToken cancellationToken)
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

            var warm = name.StartsWith(WarmNamePrefix, StringComparison.Ordinal);
            if (!warm && !TrySessionOf(name, out _))
            {
                continue;
            }

            await StartedAsync(container, cancellationToken);
            if (warm)
            {
                var memory = container.Labels.TryGetValue(MemoryLabel, out var label) && int.TryParse(label, System.Globalization.CultureInfo.InvariantCulture, out var mb)
                    ? mb
                    : options.Value.MemoryMb;
                WarmPool(memory).Enqueue(container.ID);
            }
            else if (TrySessionOf(name, out var sessionId))
            {
                _containers[sessionId] = container.ID;
                _lastUsed.TryAdd(sessionId, DateTimeOffset.UtcNow);
                adopted++;
            }
        }

        _idleLimits.KeepOnly([.. _containers.Keys]);
        Uploads.KeepOnly([.. _containers.Keys]);
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

    /// <summary>Starts containers until every warm pool (one per memory limit) holds its target, so a new session need not wait for one.</summary>
    public async Task<int> RefillWarmAsync(CancellationToken cancellationToken)
    {
        var started = 0;
        foreach (var (memory, target) in options.Value.WarmPools())
        {
            var pool = WarmPool(memory);
            while (pool.Count < target)
            {
                var id = await CreateContainerAsync($"{WarmNamePrefix}{Guid.NewGuid():N}", cancellationToken, warm: true,
                    memoryMb: memory == options.Value.MemoryMb ? null : memory);
                await PrepareShellAsync(id, cancellationToken);
                pool.Enqueue(id);
                started++;
            }
        }

        return started;
    }

    /// <summary>
    /// Gives a warm container to a new session by renaming it after the session: names, unlike
    /// labels, can change, and the name is how a restarted executor knows whose it is.
    /// </summary>
    private async Task<string?> ClaimWarmAsync(Guid sessionId, int memoryMb, CancellationToken cancellationToken)
    {
        while (WarmPool(memoryMb).TryDequeue(out var containerId))
        {
            try
            {
                await docker.Containers.RenameContainerAsync(containerId, new ContainerRenameParameters { NewName = SessionName(sessionId) }, cancellationToken);
                return containerId;
            }
            catch (DockerContainerNotFoundException)
            {
                // Removed behind our back; try the next one.
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                // The session's name is taken already: the warm container stays warm.
                WarmPool(memoryMb).Enqueue(containerId);
                throw;
            }
        }

        return null;
    }

    private static string SessionName(Guid sessionId) => $"{SessionNamePrefix}{sessionId:N}";

    /// <summary>The session a container's name says it belongs to (<c>berth-&lt;session&gt;</c>).</summary>
    public static bool TrySessionOf(string name, out Guid sessionId)
    {
        sessionId = Guid.Empty;
        return name.StartsWith(SessionNamePrefix, StringComparison.Ordinal)
            && Guid.TryParseExact(name[SessionNamePrefix.Length..], "N", out sessionId);
    }

    /// <summary>A session whose container should live longer, or shorter, when idle than the executor's default.</summary>
    public void SetIdleLimit(Guid sessionId, TimeSpan idle) => _idleLimits.Set(sessionId, idle);

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
    public async Task<IReadOnlyList<Guid>> ReapIdleAsync(TimeSpan idle, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var reaped = new List<Guid>();
        foreach (var (sessionId, lastUsed) in _lastUsed)
        {
            var cutoff = now - _idleLimits.Of(sessionId, idle);
            if (lastUsed > cutoff || Busy(sessionId))
            {
                continue;
            }

            if (!_containers.TryGetValue(sessionId, out var containerId))
            {
                // A call that never got a container (it failed to start): nothing to remove.
                _lastUsed.TryRemove(sessionId, out _);
                continue;
            }

            using (await _sessionLocks.TakeAsync(sessionId, cancellationToken))
            {
                // Checked again under the session's lock: a call may have started meanwhile.
                if ((_lastUsed.TryGetValue(sessionId, out var usedSince) && usedSince > cutoff) || Busy(sessionId))
                {
                    continue;
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
        DropShell(containerId);
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
            filters["name"] = new Dictionary<string, bool> { [$"^/{SessionName(session)}$"] = true };
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

    private async Task<string> CreateContainerAsync(string name, CancellationToken cancellationToken, bool warm = false, int? memoryMb = null,
        (Guid SessionId, NetworkPolicySpec Policy)? egressFor = null)
    {
        var settings = options.Value;
        var memory = Math.Min(memoryMb ?? settings.MemoryMb, settings.MaxMemoryMb) * 1024L * 1024L;
        var labels = new Dictionary<string, string>
        {
            [ManagedLabel] = "true",
            [ExecutorLabel] = settings.InstanceId,
        };
        if (settings.Deployment is { } deployment)
        {
            labels[DeploymentLabel] = deployment;
        }

        if (warm)
        {
            labels[WarmLabel] = "true";
            labels[MemoryLabel] = (memoryMb ?? settings.MemoryMb).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var network = egressFor is var (sessionId, policy) ? await egress.StartAsync(sessionId, policy, labels, cancellationToken) : null;
        CreateContainerResponse created;
        try
        {
            created = await CreateSandboxAsync(name, labels, memory, network, cancellationToken);
        }
        catch
        {
            if (egressFor is var (failedSession, _))
            {
                await egress.RemoveAsync(failedSession, CancellationToken.None);
            }

            throw;
        }

        await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), cancellationToken);
        LogCreated(name, created.ID[..12], settings.Image);
        return created.ID;
    }

    /// <param name="network">The session's internal network, behind its egress proxy; null for none at all.</param>
    private Task<CreateContainerResponse> CreateSandboxAsync(string name, IDictionary<string, string> labels, long memory, string? network, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        return docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name,
            Image = settings.Image,

            // PID 1 reaps the orphans of finished commands (the shell's wait collects any child),
            // which would otherwise pile up as zombies against the PID limit. Being PID 1, it
            // cannot be killed from inside: `kill -9 -1` ends every command, not the container.
            Cmd = ["sh", "-c", "trap '' TERM INT HUP; while :; do sleep 3600 & wait; done"],
            User = settings.User,
            Env = ["HOME=" + WorkingDirectory, .. network is null ? [] : EgressProxies.ProxyEnvironment()],
            WorkingDir = WorkingDirectory,
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
                    [WorkingDirectory] = $"rw,nosuid,nodev,size={settings.WorkspaceMb}m,mode=1777",
                    ["/tmp"] = $"rw,nosuid,nodev,size={settings.TmpMb}m,mode=1777",

                    // Root's, so that skills unpacked there cannot be changed by the commands that read them.
                    [ContainerSkillSeed.SkillsDirectory] = $"rw,nosuid,nodev,size={settings.SkillsMb}m,mode=0755",
                },
                Memory = memory,
                MemorySwap = memory,
                NanoCPUs = (long)(settings.Cpus * 1_000_000_000),
                CgroupParent = cgroup?.Parent ?? "",
                PidsLimit = settings.PidsLimit,

                // PID 1 belongs to the sandbox user, so a command may write to its output
                // (/proc/1/fd/1): with a log driver that output would fill the host's disk.
                LogConfig = new LogConfig { Type = "none" },
            },
        }, cancellationToken);
    }

    /// <summary>Forgets a container Docker no longer has.</summary>
    public void Forget(Guid sessionId)
    {
        _containers.TryRemove(sessionId, out _);
        _lastUsed.TryRemove(sessionId, out _);
        _idleLimits.Remove(sessionId);
        Uploads.Forget(sessionId);
        if (_use.TryGetValue(sessionId, out var use) && !use.Busy)
        {
            _use.TryRemove(sessionId, out _);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created container {Name} ({ContainerId}) from {Image}")]
    private partial void LogCreated(string name, string containerId, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: removed container {ContainerId}, idle for {Minutes:0.#} minutes")]
    private partial void LogReaped(Guid sessionId, string containerId, double minutes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Container {ContainerId}: exec {ExecId} outlived its timeout and grace; reported as timed out")]
    private partial void LogStuckExec(string containerId, string execId);
}

/// <summary>A session container this executor holds: whether a call runs in it now, and how many calls have begun there.</summary>
public sealed record HeldContainer(Guid SessionId, string ContainerId, bool Busy, long Calls);

/// <summary>The session had a container, and it is not there any more (expired, or removed).</summary>
public sealed class ContainerGoneException(Guid sessionId, string containerId)
    : Exception($"The session's container {containerId[..Math.Min(12, containerId.Length)]} has expired or was removed; its files are gone.")
{
    public Guid SessionId { get; } = sessionId;
}

/// <summary>
/// The session's container has stopped by itself: a command took the whole sandbox down (under
/// gVisor, exhausting its memory or processes can do that). Its files are gone with it.
/// </summary>
public sealed class ContainerStoppedException(string containerId)
    : Exception($"The session's container {containerId[..Math.Min(12, containerId.Length)]} stopped: a command brought the whole sandbox down (for example by exhausting its memory or processes). Its files are gone; start a new conversation to get a new container.");

/// <summary>
/// The session's container is on this engine, but another executor holds it: a call for it is
/// that executor's to run (a first call delivered twice, to two executors, after a broker restart).
/// </summary>
public sealed class ContainerHeldElsewhereException(Guid sessionId, string executorId)
    : Exception($"The session's container is held by executor '{executorId}'.")
{
    public Guid SessionId { get; } = sessionId;

    public string ExecutorId { get; } = executorId;
}

/// <summary>This executor holds as many containers as it may; a new session must go elsewhere or wait.</summary>
public sealed class PoolFullException(string executorId, int capacity)
    : Exception($"Executor {executorId} holds its maximum of {capacity} containers.");
