using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Containers;

/// <summary>On <see cref="Endpoints.ContainersQueue"/>. A read: not retried, as the api's request gives up and says so in its own time.</summary>
internal sealed class ContainerQueriesConsumerDefinition : ConsumerDefinition<ContainerQueriesConsumer>
{
    public ContainerQueriesConsumerDefinition()
    {
        EndpointName = Endpoints.ContainersQueue;
    }
}
