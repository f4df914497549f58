using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Intake;

/// <summary>On <see cref="Endpoints.ResponsesQueue"/>. Input items and deletes: not retried; the api answers a failure, and the client may ask again.</summary>
internal sealed class ResponseRecordsConsumerDefinition : ConsumerDefinition<ResponseRecordsConsumer>
{
    public ResponseRecordsConsumerDefinition()
    {
        EndpointName = Endpoints.ResponsesQueue;
    }
}
