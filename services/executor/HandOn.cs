using Berth.Contracts;
using Berth.Executor.Identity;
using MassTransit;

namespace Berth.Executor;

/// <summary>
/// Passes a message on to the executor that holds its session's container: a first call or a
/// container request delivered again, after a broker restart, to another executor on the same engine.
/// </summary>
internal static class HandOn
{
    /// <summary>
    /// Forwards the message to <paramref name="holderId"/> while that executor is alive or its
    /// queue still waits for it; false, sending nothing, when it is gone for good. Without an
    /// identity (the consumer outside the service) the holder is taken to be there.
    /// </summary>
    public static async Task<bool> TryAsync<T>(ConsumeContext<T> context, ExecutorIdentity? identity, string holderId)
        where T : class
    {
        if (identity is not null && await identity.PresenceOfAsync(holderId, context.CancellationToken) == ExecutorPresence.Gone)
        {
            return false;
        }

        await context.Forward(Endpoints.Executor(holderId));
        return true;
    }
}
