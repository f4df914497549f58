namespace Berth.Executor.Identity;

/// <summary>
/// Stops the executor if its id is lost for good. Running on under an id that another live
/// process now holds would mean two executors sharing a queue and containers, which the lock
/// exists to prevent; the containers stay, for whichever executor holds the id.
/// </summary>
internal sealed partial class IdentityWatch(ExecutorIdentity identity, IHostApplicationLifetime lifetime, ILogger<IdentityWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogHeld(identity.Id, identity.Deployment);
        string reason;
        try
        {
            reason = await identity.Lost.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        LogLost(identity.Id, reason);
        Environment.ExitCode = 1;
        lifetime.StopApplication();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Executor {ExecutorId} holds its id on the broker (deployment {Deployment})")]
    private partial void LogHeld(string executorId, string deployment);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Executor {ExecutorId} is stopping: {Reason}")]
    private partial void LogLost(string executorId, string reason);
}
