namespace Berth.Executor.Calls;

/// <summary>
/// How long running commands may go on. Not a delivery's token, which ends when the broker
/// connection drops: a broker restart must not stop the commands it finds running. Not the
/// host's stopping token either, which fires as a graceful stop begins: a rolling restart should
/// let them finish. They are stopped once the executor has waited for them as long as its
/// shutdown allows (<see cref="Drain"/>), and a call cut short then ends <c>interrupted</c> on its
/// redelivery.
/// </summary>
internal sealed class CommandLifetime : IDisposable
{
    /// <summary>Inside MassTransit's stop timeout and the host's shutdown timeout (30 s each), so results still go out.</summary>
    public static readonly TimeSpan Drain = TimeSpan.FromSeconds(25);

    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenRegistration _registration;

    public CommandLifetime(IHostApplicationLifetime lifetime) =>
        _registration = lifetime.ApplicationStopping.Register(() => _stop.CancelAfter(Drain));

    public CancellationToken Token => _stop.Token;

    public void Dispose()
    {
        _registration.Dispose();
        _stop.Dispose();
    }
}
