using System.Text.RegularExpressions;
using Berth.Contracts;
using Berth.ServiceDefaults;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Berth.Executor.Identity;

/// <summary>
/// This executor's id, and the proof that no other live process has it. An executor id names a
/// queue, labels containers and owns warm containers, so two processes sharing one would run
/// each other's calls and hand one warm container to two sessions. The proof is an exclusive
/// queue on the broker (<see cref="Endpoints.ExecutorLockQueueName"/>): RabbitMQ lets one
/// connection hold it and deletes it the moment that connection ends, a SIGKILL included, so
/// an executor restarted under its old id gets it straight back. A pinned id
/// (<c>Executor:InstanceId</c>) that another process holds is refused; without one, the
/// executor takes the first free slot of its host, <c>&lt;host&gt;-1</c>, <c>&lt;host&gt;-2</c>…,
/// which stays the same across restarts while the others keep theirs.
/// </summary>
internal sealed partial class ExecutorIdentity : IAsyncDisposable
{
    /// <summary>The most executors one host name may run without pinned ids.</summary>
    public const int MaxSlots = 64;

    private const ushort ResourceLocked = 405;
    private static readonly TimeSpan ReclaimPause = TimeSpan.FromSeconds(2);

    private readonly ConnectionFactory _factory;
    private readonly CancellationTokenSource _disposed = new();
    private readonly TaskCompletionSource<string> _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile IConnection _connection;
    private volatile CancellationTokenSource _connectionCut = new();

    private ExecutorIdentity(ConnectionFactory factory, IConnection connection, string id, string deployment)
    {
        _factory = factory;
        _connection = connection;
        Id = id;
        Deployment = deployment;
        Watch(connection);
    }

    public string Id { get; }

    /// <summary>
    /// The broker and virtual host, without credentials. Containers carry it, so an executor
    /// only ever cleans up after executors of its own deployment, never another one's that
    /// shares the Docker engine.
    /// </summary>
    public string Deployment { get; }

    /// <summary>
    /// Completes, with the reason, if the id is lost for good: the broker dropped the lock (it
    /// restarted, or lost this process's connection) and another process took the id meanwhile.
    /// </summary>
    public Task<string> Lost => _lost.Task;

    /// <summary>
    /// Cancelled when the connection that holds the lock goes other than by this process's
    /// choice (a cut, a broker restart), and new once the lock is held again. The bus shares the
    /// broker and the path to it, so this is the executor's own word that its broker connection
    /// went: MassTransit does not always cancel a delivery a consumer still holds, and a held
    /// delivery keeps the bus from reconnecting.
    /// </summary>
    public CancellationToken ConnectionCut => _connectionCut.Token;

    /// <summary>Takes <paramref name="pinnedId"/>, or the first free slot of <paramref name="hostName"/>; throws <see cref="ExecutorIdentityClashException"/> if none is free.</summary>
    public static async Task<ExecutorIdentity> ClaimAsync(Uri broker, string? pinnedId, string hostName, TimeSpan brokerWait, Action<string> say,
        TimeProvider time, CancellationToken cancellationToken = default)
    {
        if (pinnedId is not null && !ValidId().IsMatch(pinnedId))
        {
            throw new ExecutorIdentityClashException(ExecutorOptions.InstanceIdRule);
        }

        var factory = new ConnectionFactory
        {
            Uri = broker,
            ClientProvidedName = "berth-executor-identity",
            // Recovery is ours: a recovered lock must be taken again, or the process must stop.
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            // The broker drops the lock of a process it stops hearing within two of these, so a
            // crashed host's executor counts as gone within seconds, as a killed one does at once.
            RequestedHeartbeat = TimeSpan.FromSeconds(3),
        };
        var connection = await ConnectAsync(factory, brokerWait, say, time, cancellationToken);
        try
        {
            IEnumerable<string> candidates = pinnedId is null ? Enumerable.Range(1, MaxSlots).Select(slot => SlotId(hostName, slot)) : [pinnedId];
            foreach (var id in candidates)
            {
                if (await TryLockAsync(connection, id, cancellationToken))
                {
                    return new ExecutorIdentity(factory, connection, id, DeploymentOf(broker));
                }
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        throw new ExecutorIdentityClashException(pinnedId is null
            ? $"All {MaxSlots} executor ids of host '{SlotId(hostName, 1)[..^2]}' (-1 to -{MaxSlots}) are held by live executors on this broker; set Executor__InstanceId to give this one an id of its own."
            : $"Executor id '{pinnedId}' is held by another live executor on this broker (it holds the lock queue '{Endpoints.ExecutorLockQueueName(pinnedId)}'). Two executors must never share an id: they would take each other's calls and hand one warm container to two sessions. Stop the other one, or give this one another Executor__InstanceId.");
    }

    /// <summary>Whether another executor is alive, or may still come back for the calls queued for it.</summary>
    public async Task<ExecutorPresence> PresenceOfAsync(string executorId, CancellationToken cancellationToken)
    {
        if (executorId == Id)
        {
            return ExecutorPresence.Live;
        }

        if (await ExistsAsync(Endpoints.ExecutorLockQueueName(executorId), cancellationToken))
        {
            return ExecutorPresence.Live;
        }

        return await ExistsAsync(Endpoints.ExecutorQueueName(executorId), cancellationToken) ? ExecutorPresence.Queued : ExecutorPresence.Gone;
    }

    /// <summary>
    /// Asks on the lock's connection. While that connection is being made again (a broker
    /// restart), the question waits for it, up to <see cref="ReconnectWait"/>: an unknown answer
    /// must never read as "gone", and should not fail the call that asked either.
    /// </summary>
    private async Task<bool> ExistsAsync(string queue, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await BrokerQueues.ExistsAsync(_connection, queue, cancellationToken);
            }
            catch (AlreadyClosedException) when (waited.Elapsed < ReconnectWait)
            {
                await Task.Delay(ReclaimPause, cancellationToken);
            }
        }
    }

    /// <summary>How long a question about another executor waits for the lock's connection to be back.</summary>
    private static readonly TimeSpan ReconnectWait = TimeSpan.FromSeconds(60);

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        await _connection.DisposeAsync();
        _disposed.Dispose();
    }

    private static async Task<bool> TryLockAsync(IConnection connection, string id, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            await channel.QueueDeclareAsync(Endpoints.ExecutorLockQueueName(id), durable: false, exclusive: true, autoDelete: false,
                cancellationToken: cancellationToken);
            return true;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == ResourceLocked)
        {
            return false;
        }
    }

    private static async Task<IConnection> ConnectAsync(ConnectionFactory factory, TimeSpan wait, Action<string> say, TimeProvider time, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + wait;
        while (true)
        {
            try
            {
                return await factory.CreateConnectionAsync(cancellationToken);
            }
            catch (BrokerUnreachableException e) when (time.GetUtcNow() < until)
            {
                say($"waiting for the broker to claim an executor id: {e.InnerException?.Message ?? e.Message}");
                await Task.Delay(ReclaimPause, cancellationToken);
            }
        }
    }

    private void Watch(IConnection connection) => connection.ConnectionShutdownAsync += async (_, args) =>
    {
        if (args.Initiator != ShutdownInitiator.Application && !_disposed.IsCancellationRequested)
        {
            await _connectionCut.CancelAsync();
            _ = ReclaimAsync();
        }
    };

    /// <summary>
    /// The broker dropped the lock with the connection. Until it is taken again, no other process
    /// can have started under this id either (it would need the same broker), so take it back as
    /// soon as the broker answers; if another process got there first, this one must stop.
    /// </summary>
    private async Task ReclaimAsync()
    {
        var cancellationToken = _disposed.Token;
        while (!cancellationToken.IsCancellationRequested)
        {
            IConnection? connection = null;
            try
            {
                await Task.Delay(ReclaimPause, cancellationToken);
                connection = await _factory.CreateConnectionAsync(cancellationToken);
                if (!await TryLockAsync(connection, Id, cancellationToken))
                {
                    _lost.TrySetResult($"another live executor took the id '{Id}' while this one was cut off from the broker");
                    return;
                }

                var old = _connection;
                _connection = connection;
                connection = null;

                // Not disposed: deliveries of before the cut still hold its token.
                _connectionCut = new CancellationTokenSource();
                Watch(_connection);
                await old.DisposeAsync();
                return;
            }
            catch (Exception e) when (e is BrokerUnreachableException or OperationInterruptedException or IOException or AlreadyClosedException)
            {
                // Still away: try again.
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                // A connection that did not become the lock's holder goes, whatever ended the try.
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                }
            }
        }
    }

    /// <summary>A host's slot <paramref name="slot"/>: its name, lower-case, reduced to what an id allows, with the slot number.</summary>
    public static string SlotId(string hostName, int slot)
    {
        var host = new string([.. hostName.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '-')]).Trim('-');
        host = host.Length == 0 ? "executor" : host[..Math.Min(host.Length, 59)].TrimEnd('-');
        return $"{host}-{slot}";
    }

    /// <summary>A deployment's name for a broker URI: its host, port and virtual host, without credentials.</summary>
    public static string DeploymentOf(Uri broker)
    {
        var vhost = Uri.UnescapeDataString(broker.AbsolutePath);
        return $"{broker.Host}:{(broker.Port > 0 ? broker.Port : 5672)}{(vhost.Length == 0 ? "/" : vhost)}";
    }

    [GeneratedRegex(ExecutorOptions.InstanceIdPattern)]
    private static partial Regex ValidId();
}

/// <summary>How an executor stands, seen from the broker.</summary>
internal enum ExecutorPresence
{
    /// <summary>A process holds its id.</summary>
    Live,

    /// <summary>No process holds it, but its queue still waits for it: it may be restarting.</summary>
    Queued,

    /// <summary>No process, no queue: gone for good.</summary>
    Gone,
}
