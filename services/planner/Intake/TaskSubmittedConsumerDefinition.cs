using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Intake;

/// <summary>On <see cref="Endpoints.IntakeQueue"/>. Retried briefly; the outbox holds the <c>ResponseQueued</c> publish and the reply until the consumer has finished, so a retried submission is neither queued twice nor answered early. Neither depends on the other's order, so they go out together.</summary>
internal sealed class TaskSubmittedConsumerDefinition : ConsumerDefinition<TaskSubmittedConsumer>
{
    public TaskSubmittedConsumerDefinition()
    {
        EndpointName = Endpoints.IntakeQueue;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TaskSubmittedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        consumerConfigurator.UseMessageRetry(retry => retry.Intervals(100, 500, 1000));
        consumerConfigurator.UseInMemoryOutbox(context, outbox => outbox.ConcurrentMessageDelivery = true);
    }
}
