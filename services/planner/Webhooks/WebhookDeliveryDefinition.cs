using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Webhooks;

/// <summary>On <see cref="Endpoints.WebhooksQueue"/>. A failed delivery is retried by its own delay queues, not here. Up to 32 at once: each holds only an HTTP request to a receiver, and a slow receiver must not hold up the rest.</summary>
internal sealed class WebhookDeliveryDefinition : ConsumerDefinition<WebhookDelivery>
{
    public WebhookDeliveryDefinition()
    {
        EndpointName = Endpoints.WebhooksQueue;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<WebhookDelivery> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.ConcurrentMessageLimit = 32;
    }
}
