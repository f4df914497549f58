using Berth.Contracts;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Model;

/// <summary>
/// As many model calls in flight as <c>Planner:MaxModelCallsInFlight</c> allows: each holds only
/// an HTTP request and its delivery, so a thousand cost little, and the model, not the planner,
/// sets the pace.
/// </summary>
internal sealed class AskModelConsumerDefinition : ConsumerDefinition<AskModelConsumer>
{
    public AskModelConsumerDefinition()
    {
        EndpointName = Endpoints.ModelCallsQueue;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<AskModelConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        var inFlight = context.GetRequiredService<IOptions<PlannerOptions>>().Value.MaxModelCallsInFlight;
        endpointConfigurator.ConcurrentMessageLimit = inFlight;
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = inFlight;
        }

        // A retry after the answer came (its send to the session failed) takes the kept answer,
        // so the model is not asked twice (ModelTurns). No outbox: the answer is the consumer's
        // one message and its last act, so there is nothing to hold back, and holding it would
        // cost every turn a copy and a deferred send.
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(100, 500, 1000));
    }
}
