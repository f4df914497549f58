using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Intake;

/// <summary>On <see cref="Endpoints.ResponsesQueue"/>. A read: not retried, as the api's request gives up and says so in its own time.</summary>
internal sealed class GetResponseEventsConsumerDefinition : ConsumerDefinition<GetResponseEventsConsumer>
{
    public GetResponseEventsConsumerDefinition()
    {
        EndpointName = Endpoints.ResponsesQueue;
    }
}
