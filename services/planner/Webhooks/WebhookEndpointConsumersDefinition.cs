using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Webhooks;

/// <summary>On <see cref="Endpoints.WebhookEndpointsQueue"/>. Not retried: the api answers a failure, and the client may ask again.</summary>
internal sealed class WebhookEndpointConsumersDefinition : ConsumerDefinition<WebhookEndpointConsumers>
{
    public WebhookEndpointConsumersDefinition()
    {
        EndpointName = Endpoints.WebhookEndpointsQueue;
    }
}
