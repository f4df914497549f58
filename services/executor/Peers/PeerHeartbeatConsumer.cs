using Berth.Contracts;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Executor.Peers;

/// <summary>Keeps <see cref="PeerExecutors"/>: every executor's heartbeat reaches every other one.</summary>
internal sealed class PeerHeartbeatConsumer(PeerExecutors peers, IOptions<ExecutorOptions> options) : IConsumer<ExecutorHeartbeat>
{
    public Task Consume(ConsumeContext<ExecutorHeartbeat> context)
    {
        if (context.Message.ExecutorId != options.Value.InstanceId)
        {
            peers.Heard(context.Message.ExecutorId, context.Message.EngineId);
        }

        return Task.CompletedTask;
    }
}
