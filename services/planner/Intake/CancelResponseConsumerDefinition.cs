using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Intake;

/// <summary>On <see cref="Endpoints.ResponsesQueue"/>. Not retried: the api answers a failure, and a cancel may be asked for again.</summary>
internal sealed class CancelResponseConsumerDefinition : ConsumerDefinition<CancelResponseConsumer>
{
    public CancelResponseConsumerDefinition()
    {
        EndpointName = Endpoints.ResponsesQueue;
    }
}
