using Berth.Contracts;
using Berth.Executor.Sandbox;
using Berth.ServiceDefaults.Images;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Executor;

/// <summary>
/// Checks each image the operator listed (<c>Images:&lt;n&gt;</c>) and serves those that pass:
/// this executor then takes new sessions of that image from the image's own pool queue, so a
/// session's first call reaches only executors that can make its container. What it found for
/// each image is logged; one that fails is left to the executors that have it, and checked again
/// every <c>Executor:ImageCheckSeconds</c>, so that an image pulled or fixed later is served
/// without a restart.
/// </summary>
internal sealed partial class ImagePools(
    IOptions<ImageCatalog> catalog,
    ImageCheck check,
    ServedImages served,
    IReceiveEndpointConnector endpoints,
    IOptions<ExecutorOptions> options,
    ILogger<ImagePools> logger,
    TimeProvider time) : IHostedLifecycleService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _rechecks = Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Once the bus has started (its endpoints can be connected only then), and before the first
    /// heartbeat, which names the images served.
    /// </summary>
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var unserved = await ServeThosePassingAsync(catalog.Value.Images, cancellationToken);
        if (unserved.Count > 0 && options.Value.ImageCheckSeconds > 0)
        {
            _rechecks = RecheckAsync(unserved, _stopping.Token);
        }
    }

    /// <summary>Checks the images again, one period apart, until every one is served or the executor stops.</summary>
    private async Task RecheckAsync(IReadOnlyList<ImageEntry> unserved, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.ImageCheckSeconds), time);
        try
        {
            while (unserved.Count > 0 && await timer.WaitForNextTickAsync(stopping))
            {
                unserved = await ServeThosePassingAsync(unserved, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Serves each image that passes its check; returns those that did not.</summary>
    private async Task<IReadOnlyList<ImageEntry>> ServeThosePassingAsync(IEnumerable<ImageEntry> images, CancellationToken cancellationToken)
    {
        var failed = new List<ImageEntry>();
        foreach (var image in images)
        {
            string? problem;
            var withoutBash = false;
            try
            {
                (problem, withoutBash) = await check.CheckAsync(image.Reference, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                problem = $"{image.Reference} could not be checked: {e.Message}";
            }

            if (problem is not null)
            {
                LogNotServed(options.Value.InstanceId, image.Name, problem);
                failed.Add(image);
                continue;
            }

            served.Serve(image.Name, image.Reference, image.Warm, withoutBash);
            // Not waited for: a broker that is away has the bus reconnect the endpoint when it is back.
            endpoints.ConnectReceiveEndpoint(Endpoints.PoolQueueName(image.Name),
                (context, endpoint) => ExecutorExtensions.ConfigurePoolEndpoint(endpoint, context, options.Value));
            LogServed(options.Value.InstanceId, image.Name, image.Reference, withoutBash && options.Value.CommandMode == CommandMode.Shell ? " without bash: a docker exec per command" : "");
        }

        return failed;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Before the bus stops: no endpoint is connected to a bus on its way down.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _rechecks;
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Executor {ExecutorId} serves the image '{Name}' ({Reference}){Mode}")]
    private partial void LogServed(string executorId, string name, string reference, string mode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Executor {ExecutorId} does not serve the image '{Name}': {Problem}")]
    private partial void LogNotServed(string executorId, string name, string problem);
}
