using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Containers;

/// <summary>
/// On <see cref="Endpoints.ContainersQueue"/>. What it writes is idempotent (a delete, a status),
/// so it is retried briefly: a store that hiccups must not leave a gone container counting
/// against its tenant's limit.
/// </summary>
internal sealed class ContainerRemovedConsumerDefinition : ConsumerDefinition<ContainerRemovedConsumer>
{
    public ContainerRemovedConsumerDefinition()
    {
        EndpointName = Endpoints.ContainersQueue;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ContainerRemovedConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        consumerConfigurator.UseMessageRetry(retry => retry.Intervals(100, 500, 1000));
}
