using Berth.Contracts;
using Berth.Executor.Identity;
using Berth.Executor.Sandbox;
using Docker.DotNet;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Executor;

/// <summary>Removes a session's container when its owner asks (<c>DELETE /v1/containers/{id}</c>).</summary>
internal sealed class RemoveContainerConsumer(DockerSandbox sandbox, IOptions<ExecutorOptions> options) : IConsumer<RemoveContainer>
{
    public async Task Consume(ConsumeContext<RemoveContainer> context)
    {
        if (await sandbox.RemoveSessionAsync(context.Message.SessionId, context.CancellationToken))
        {
            await context.Publish(new ContainerRemoved { SessionId = context.Message.SessionId, ExecutorId = options.Value.InstanceId, Reason = ContainerStatuses.Deleted });
        }
    }
}
