using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Containers;

/// <summary>On <see cref="Endpoints.ContainersQueue"/>. Not retried: making a container is not idempotent; the api answers a failure, and the client may ask again.</summary>
internal sealed class CreateContainerConsumerDefinition : ConsumerDefinition<CreateContainerConsumer>
{
    public CreateContainerConsumerDefinition()
    {
        EndpointName = Endpoints.ContainersQueue;
    }
}
