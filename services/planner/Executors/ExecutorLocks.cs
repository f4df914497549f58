using Berth.Contracts;
using Berth.ServiceDefaults;
using RabbitMQ.Client;

namespace Berth.Planner.Executors;

/// <summary>
/// Whether an executor's process is still connected: it holds an exclusive lock queue on the
/// broker for its life, which RabbitMQ deletes the moment its connection ends (a SIGKILL at
/// once; a crashed host within a few missed connection heartbeats). A planner asks before it
/// declares a silent executor lost, on a connection of its own, opened on first use and again
/// after the broker dropped it.
/// </summary>
internal sealed class ExecutorLocks(IConfiguration configuration) : IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private IConnection? _connection;

    /// <summary>True while the executor's process holds its id; throws when the broker cannot be asked.</summary>
    public async Task<bool> IsHeldAsync(string executorId, CancellationToken cancellationToken) =>
        await BrokerQueues.ExistsAsync(await ConnectionAsync(cancellationToken), Endpoints.ExecutorLockQueueName(executorId), cancellationToken);

    private async Task<IConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is { IsOpen: true } open)
        {
            return open;
        }

        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (_connection is { IsOpen: true } raced)
            {
                return raced;
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }

            var factory = new ConnectionFactory
            {
                Uri = MessagingExtensions.RabbitMqUri(configuration),
                ClientProvidedName = "berth-planner-executor-locks",
                AutomaticRecoveryEnabled = false,
            };
            return _connection = await factory.CreateConnectionAsync(cancellationToken);
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _connecting.Dispose();
    }
}
