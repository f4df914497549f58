using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Looks at the CPU each idle session container has used, every
/// <see cref="ExecutorOptions.BackgroundCheckSeconds"/>, through Docker's statistics (one
/// reading, not a stream), and ends what a session left running once it has spent its budget
/// (<see cref="BackgroundCpu"/>). A container with a call running is not looked at: what runs
/// then is the call's, bounded by its timeout.
/// </summary>
internal sealed partial class BackgroundCpuWatch(
    DockerSandbox sandbox,
    DockerClient docker,
    BackgroundCpu accounts,
    TimeProvider time,
    IOptions<ExecutorOptions> options,
    ILogger<BackgroundCpuWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.BackgroundCpuSeconds <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.BackgroundCheckSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await LookAsync(stoppingToken);
        }
    }

    /// <summary>
    /// One look at every container this executor holds, several at once: Docker answers a
    /// statistics reading at its collector's next tick, up to a second later, so one after
    /// another a look at fifty containers would take most of a minute.
    /// </summary>
    public async Task LookAsync(CancellationToken cancellationToken)
    {
        var held = sandbox.Held();
        accounts.KeepOnly([.. held.Select(h => h.SessionId)]);
        await Parallel.ForEachAsync(held, new ParallelOptions { MaxDegreeOfParallelism = LooksAtOnce, CancellationToken = cancellationToken }, LookAtAsync);
    }

    private const int LooksAtOnce = 16;

    private async ValueTask LookAtAsync(HeldContainer container, CancellationToken cancellationToken)
    {
        try
        {
            var usage = container.Busy ? null : await CpuUsageAsync(container.ContainerId, cancellationToken);
            if (accounts.Observe(container, usage) && await sandbox.EndLeftRunningAsync(container.ContainerId, cancellationToken) is { } ended)
            {
                accounts.Ended(container.SessionId, ended);
                LogEnded(container.SessionId, ended);
            }
        }
        catch (Exception e) when (e is DockerApiException or IOException or HttpRequestException)
        {
            // Gone, stopped, or the shell would not answer: looked at again next time.
            LogLookFailed(container.SessionId, e.Message);
        }
    }

    private async Task<ulong?> CpuUsageAsync(string containerId, CancellationToken cancellationToken)
    {
        var reading = new Reading();
        await docker.Containers.GetContainerStatsAsync(containerId, new ContainerStatsParameters { Stream = false, OneShot = true }, reading, cancellationToken);
        return reading.Value?.CPUStats?.CPUUsage?.TotalUsage;
    }

    // Progress<T> would report later, on the thread pool; the reading is wanted before the call returns.
    private sealed class Reading : IProgress<ContainerStatsResponse>
    {
        public ContainerStatsResponse? Value { get; private set; }

        public void Report(ContainerStatsResponse value) => Value = value;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: ended {Count} processes left running past the session's background CPU budget (-1: as many as there were)")]
    private partial void LogEnded(Guid sessionId, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Session {SessionId}: could not look at its container's CPU: {Reason}")]
    private partial void LogLookFailed(Guid sessionId, string reason);
}
