using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Containers;

/// <summary>
/// A container is gone without its owner asking: an executor removed it (idle expiry), or the
/// executor itself was lost. One made by <c>POST /v1/containers</c> says so from then on; a
/// session's own record goes, as nothing but its session knew of it. Either way it no longer
/// counts against its tenant's container limit.
/// </summary>
internal sealed class ContainerRemovedConsumer(IContainerStore containers) : IConsumer<ContainerRemoved>, IConsumer<ExecutorLost>
{
    public async Task Consume(ConsumeContext<ContainerRemoved> context)
    {
        if (await containers.FindBySessionAsync(context.Message.SessionId, context.CancellationToken) is not { } container)
        {
            return;
        }

        await (container.Auto
            ? containers.DeleteAsync(container.Id, context.CancellationToken)
            : containers.SetStatusAsync(container.Id, context.Message.Reason == ContainerStatuses.Expired ? ContainerStatuses.Expired : ContainerStatuses.Deleted, context.CancellationToken));
    }

    public Task Consume(ConsumeContext<ExecutorLost> context) => containers.ForgetExecutorAsync(context.Message.ExecutorId, context.CancellationToken);
}
