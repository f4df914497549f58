using System.Collections.Concurrent;
using Berth.Contracts;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Executor.Peers;

/// <summary>
/// Finds the executor on another Docker engine that took a session's first call, when RabbitMQ
/// delivers that call again (after a broker restart, or a cut connection) to an executor that
/// finds no container for the session on its own engine. Executors on one engine see each
/// other's containers by name; across engines only the executor itself knows, so every executor
/// heard from lately on another engine is asked, and the search waits until one says it holds the
/// session or all say they do not. An executor that stays silent (it is reconnecting, or dead with
/// the call perhaps started) leaves the question open: the caller must not run the call then.
/// </summary>
internal sealed partial class SessionHolders(
    IBus bus,
    PeerExecutors peers,
    DockerEngine engine,
    IOptions<ExecutorOptions> options,
    TimeProvider time,
    ILogger<SessionHolders> logger)
{
    // Often enough that an executor whose peers queue was away when the question was first asked
    // (it was reconnecting) hears it soon after it is back.
    private static readonly TimeSpan AskEvery = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<Guid, Search> _open = new();
    private readonly Lock _listening = new();
    private ConnectHandle? _answers;

    public async Task<HolderSearch> FindAsync(Guid sessionId, string callId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var asked = peers.OnOtherEngines(engine.Known, TimeSpan.FromMinutes(settings.QueueExpiryMinutes));
        if (asked.Count == 0)
        {
            return new HolderSearch(null, []);
        }

        Listen();
        var query = new FindSessionHolder { QueryId = Guid.NewGuid(), SessionId = sessionId, CallId = callId, AskedBy = settings.InstanceId };
        var search = new Search(asked);
        _open[query.QueryId] = search;
        LogAsking(sessionId, callId, string.Join(", ", asked));
        try
        {
            var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(settings.HolderWaitSeconds);
            while (!search.Settled.IsCompleted && time.GetUtcNow() < deadline)
            {
                await bus.Publish(query, send =>
                {
                    send.ResponseAddress = bus.Address;
                    send.TimeToLive = AskEvery * 2;
                }, cancellationToken);
                var wait = TimeSpan.FromTicks(Math.Min(AskEvery.Ticks, (deadline - time.GetUtcNow()).Ticks));
                if (wait > TimeSpan.Zero)
                {
                    await Task.WhenAny(search.Settled, Task.Delay(wait, time, cancellationToken));
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            return search.Settled.IsCompleted ? new HolderSearch(await search.Settled, []) : new HolderSearch(null, search.Silent());
        }
        finally
        {
            _open.TryRemove(query.QueryId, out _);
        }
    }

    /// <summary>Answers come to the bus's own queue, where request clients' responses come too.</summary>
    private void Listen()
    {
        lock (_listening)
        {
            _answers ??= bus.ConnectHandler<SessionHolderAnswered>(context =>
            {
                if (_open.TryGetValue(context.Message.QueryId, out var search))
                {
                    search.Answer(context.Message.ExecutorId, context.Message.Holds);
                }

                return Task.CompletedTask;
            });
        }
    }

    private sealed class Search(IReadOnlyList<string> asked)
    {
        private readonly HashSet<string> _silent = new(asked, StringComparer.Ordinal);
        private readonly TaskCompletionSource<string?> _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The holder's id, or null once every executor asked has said it is not.</summary>
        public Task<string?> Settled => _settled.Task;

        public void Answer(string executorId, bool holds)
        {
            if (holds)
            {
                _settled.TrySetResult(executorId);
                return;
            }

            lock (_silent)
            {
                if (_silent.Remove(executorId) && _silent.Count == 0)
                {
                    _settled.TrySetResult(null);
                }
            }
        }

        public IReadOnlyList<string> Silent()
        {
            lock (_silent)
            {
                return [.. _silent];
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}, call {CallId}: a first call delivered again, with no container on this engine; asking the executors on other engines ({Executors})")]
    private partial void LogAsking(Guid sessionId, string callId, string executors);
}

/// <summary>
/// What a search found: the executor that holds the session, or none; <see cref="Silent"/> names
/// the executors asked that did not answer, so none is not certain while it has any.
/// </summary>
internal sealed record HolderSearch(string? HolderId, IReadOnlyList<string> Silent);

/// <summary>A first call delivered again that an executor on another engine may have taken, and did not say within the wait.</summary>
internal sealed class HolderUnknownException(string silent, int waitedSeconds)
    : Exception($"The session's first call was delivered again, and executor(s) {silent} on another Docker engine, which may have started it, did not answer within {waitedSeconds} s; it was not run again, as it may have had effects. Retry with a new response.");
