using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Berth.ServiceDefaults;

/// <summary>Asks RabbitMQ whether a queue exists, which is how services learn whether an executor's lock is held.</summary>
public static class BrokerQueues
{
    private const ushort ResourceLocked = 405;
    private const ushort NotFound = 404;

    /// <summary>
    /// True for a queue that exists, an exclusive one another connection holds included; false
    /// for none. A passive declare answers 404 or 405 by closing the channel, so each probe has
    /// its own. Anything else (the broker away) throws: an unknown answer must never read as "gone".
    /// </summary>
    public static async Task<bool> ExistsAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
            return true;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == ResourceLocked)
        {
            return true;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == NotFound)
        {
            return false;
        }
    }
}
