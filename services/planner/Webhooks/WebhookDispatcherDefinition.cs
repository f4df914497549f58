using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Webhooks;

/// <summary>On <see cref="Endpoints.WebhookDispatchQueue"/>. Not retried: a retry would send the deliveries made before the failure again.</summary>
internal sealed class WebhookDispatcherDefinition : ConsumerDefinition<WebhookDispatcher>
{
    public WebhookDispatcherDefinition()
    {
        EndpointName = Endpoints.WebhookDispatchQueue;
    }
}
