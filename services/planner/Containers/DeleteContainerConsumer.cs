using Berth.Contracts;
using Berth.Planner.Tenants;
using MassTransit;

namespace Berth.Planner.Containers;

/// <summary><c>DELETE /v1/containers/{id}</c>: the executor removes it; responses that refer to it afterwards get a clear error.</summary>
internal sealed class DeleteContainerConsumer(IContainerStore containers) : IConsumer<DeleteContainer>
{
    public async Task Consume(ConsumeContext<DeleteContainer> context)
    {
        var container = await containers.FindAsync(context.Message.ContainerId, context.CancellationToken);
        if (container is null || !Tenancy.Owns(container.Tenant, context.Message.Tenant))
        {
            await context.RespondAsync(new ContainerNotFound(context.Message.ContainerId));
            return;
        }

        if (container.ExecutorId is not null)
        {
            await context.Send(Endpoints.Executor(container.ExecutorId), new RemoveContainer(container.SessionId));
        }

        await containers.DeleteAsync(container.Id, context.CancellationToken);
        await context.RespondAsync(container with { Status = ContainerStatuses.Deleted });
    }
}
