using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Sessions;

/// <summary>Its own queue, so a fault is answered even when the session queue is what is stuck.</summary>
internal sealed class SessionStepFaultConsumerDefinition : ConsumerDefinition<SessionStepFaultConsumer>
{
    public SessionStepFaultConsumerDefinition()
    {
        EndpointName = Endpoints.SessionFaultsQueue;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<SessionStepFaultConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(100, 500, 1000, 5000));
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}
