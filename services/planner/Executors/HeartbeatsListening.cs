using System.Collections.Concurrent;
using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Executors;

/// <summary>
/// Tells the registry when the planner's heartbeat queue consumes, at start-up and again each
/// time the broker connection comes back (MassTransit signals the endpoint ready each time).
/// </summary>
internal sealed class HeartbeatsListening(ExecutorRegistry registry) : IReceiveEndpointObserver
{
    public Task Ready(ReceiveEndpointReady ready)
    {
        registry.Listening();
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
}
