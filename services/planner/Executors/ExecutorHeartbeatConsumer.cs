using System.Collections.Concurrent;
using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Executors;

/// <summary>Every planner instance hears every heartbeat, on a temporary queue of its own.</summary>
internal sealed class ExecutorHeartbeatConsumer(ExecutorRegistry registry) : IConsumer<ExecutorHeartbeat>
{
    public Task Consume(ConsumeContext<ExecutorHeartbeat> context)
    {
        registry.Heard(context.Message.ExecutorId, context.Message.Images);
        return Task.CompletedTask;
    }
}
