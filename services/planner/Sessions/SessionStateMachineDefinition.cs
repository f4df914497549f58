using Berth.Contracts;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Sessions;

internal sealed class SessionStateMachineDefinition : SagaDefinition<SessionState>
{
    public SessionStateMachineDefinition()
    {
        Endpoint(e => e.Name = Endpoints.SessionsQueue);
    }

    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<SessionState> sagaConfigurator,
        IRegistrationContext context)
    {
        // A step never waits on the model (AskModelConsumer makes the call), so a step takes
        // milliseconds; this bounds how many run at once, and so the store's load.
        var steps = context.GetRequiredService<IOptions<PlannerOptions>>().Value.MaxConcurrentSteps;
        endpointConfigurator.ConcurrentMessageLimit = steps;
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = steps;
        }

        // A lost optimistic-concurrency race (two messages for one session at once) is retried
        // against the fresh state; the outbox holds sends and publishes until the saga is
        // saved, so a retried message never sends its commands (or asks the model) twice. A step's messages go out at once, not one broker
        // confirmation after another: none of them depends on another's order.
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(50, 200, 500, 1000, 2000));
        endpointConfigurator.UseInMemoryOutbox(context, outbox => outbox.ConcurrentMessageDelivery = true);
    }
}
