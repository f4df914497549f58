using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Model;

/// <summary>On <see cref="Endpoints.ModelsQueue"/>. A read: not retried, as the api's request gives up and says so in its own time.</summary>
internal sealed class ListModelsConsumerDefinition : ConsumerDefinition<ListModelsConsumer>
{
    public ListModelsConsumerDefinition()
    {
        EndpointName = Endpoints.ModelsQueue;
    }
}
