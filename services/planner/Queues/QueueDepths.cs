using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Berth.Contracts;
using Berth.ServiceDefaults;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Berth.Planner.Queues;

/// <summary>
/// How many messages wait in Berth's queues, read every few seconds with a passive declare on a
/// broker connection of its own (RabbitMQ's management plugin is not needed), and reported as
/// the gauges <c>berth.queue.messages</c> and <c>berth.queue.consumers</c>, by queue. The pool's
/// queue growing is the signal to add executors; the saga's or the model's growing, a planner
/// falling behind. A queue that does not exist yet is not reported.
/// </summary>
internal sealed partial class QueueDepths : BackgroundService
{
    /// <summary>The queues every planner watches: the executor pool's, and the planner's own.</summary>
    public static readonly IReadOnlyList<string> Watched =
        [Endpoints.ExecutorsQueue, Endpoints.SessionsQueue, Endpoints.IntakeQueue, Endpoints.WebhooksQueue];

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly Uri _broker;
    private readonly IReadOnlyList<string> _queues;
    private readonly ILogger<QueueDepths> _logger;
    private readonly ConcurrentDictionary<string, QueueDepth> _latest = new(StringComparer.Ordinal);

    public QueueDepths(IConfiguration configuration, ILogger<QueueDepths> logger)
        : this(MessagingExtensions.RabbitMqUri(configuration), Watched, logger)
    {
    }

    public QueueDepths(Uri broker, IReadOnlyList<string> queues, ILogger<QueueDepths> logger)
    {
        _broker = broker;
        _queues = queues;
        _logger = logger;
        BerthTelemetry.Meter.CreateObservableGauge("berth.queue.messages",
            () => _latest.Select(q => new Measurement<long>(q.Value.Messages, new KeyValuePair<string, object?>("queue", q.Key))),
            unit: "{message}", description: "Messages waiting in a queue, read every few seconds.");
        BerthTelemetry.Meter.CreateObservableGauge("berth.queue.consumers",
            () => _latest.Select(q => new Measurement<long>(q.Value.Consumers, new KeyValuePair<string, object?>("queue", q.Key))),
            unit: "{consumer}", description: "Consumers attached to a queue, read every few seconds.");
    }

    public sealed record QueueDepth(long Messages, long Consumers);

    /// <summary>The latest reading of each queue that exists.</summary>
    public IReadOnlyDictionary<string, QueueDepth> Latest => _latest;

    /// <summary>Reads every watched queue once; a queue that does not exist is left out.</summary>
    public async Task ReadAsync(IConnection connection, CancellationToken cancellationToken)
    {
        IChannel? channel = null;
        try
        {
            foreach (var queue in _queues)
            {
                channel ??= await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                try
                {
                    var ok = await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
                    _latest[queue] = new QueueDepth(ok.MessageCount, ok.ConsumerCount);
                }
                catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
                {
                    // A passive declare of a missing queue closes the channel: the next queue gets a new one.
                    _latest.TryRemove(queue, out _);
                    await channel.DisposeAsync();
                    channel = null;
                }
            }
        }
        finally
        {
            if (channel is not null)
            {
                await channel.DisposeAsync();
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        IConnection? connection = null;
        try
        {
            do
            {
                try
                {
                    connection ??= await new ConnectionFactory { Uri = _broker, ClientProvidedName = "berth-queue-depths" }.CreateConnectionAsync(stoppingToken);
                    await ReadAsync(connection, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // The broker is away, or the connection broke: the readings stay as they
                    // were until the next round gets through. A gauge must never stop the planner.
                    LogUnreadable(e.Message);
                    if (connection is not null)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue depths could not be read: {Error}")]
    private partial void LogUnreadable(string error);
}
