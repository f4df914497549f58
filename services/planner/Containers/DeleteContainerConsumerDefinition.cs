using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Containers;

/// <summary>On <see cref="Endpoints.ContainersQueue"/>. Not retried: the api answers a failure, and a delete may be asked for again.</summary>
internal sealed class DeleteContainerConsumerDefinition : ConsumerDefinition<DeleteContainerConsumer>
{
    public DeleteContainerConsumerDefinition()
    {
        EndpointName = Endpoints.ContainersQueue;
    }
}
