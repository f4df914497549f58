using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Webhooks;

/// <summary>Turns a finished response into one delivery per subscribed endpoint, off the request path.</summary>
internal sealed class WebhookDispatcher(IWebhookStore store, Responses.IResponseStore responses, TimeProvider time) : IConsumer<ResponseFinished>
{
    public async Task Consume(ConsumeContext<ResponseFinished> context)
    {
        var type = $"response.{context.Message.Status}";
        var eventId = Ids.Stable("evt", context.Message.ResponseId, type);

        // A tenant's endpoints hear only its own responses; the operator's configured ones hear all.
        var owner = context.Message.Response is { } finished
            ? new Responses.ResponseOwner(Tenants.Tenancy.Of(finished.Tenant), finished.Store)
            : await responses.FindOwnerAsync(context.Message.ResponseId, context.CancellationToken);

        // One made with store: false is gone once delivered: a receiver could not read it.
        if (owner is not { Stored: true })
        {
            return;
        }

        var tenant = owner.Tenant;
        var listeners = (await store.AllAsync(context.CancellationToken))
            .Where(e => e.Tenant is null || Tenants.Tenancy.Owns(e.Tenant, tenant))
            .Where(e => e.Events.Count == 0 || e.Events.Contains(type));
        foreach (var endpoint in listeners)
        {
            await context.Send(Endpoints.Webhooks, new DeliverWebhook
            {
                EndpointId = endpoint.Id,
                EventId = eventId,
                Type = type,
                ResponseId = context.Message.ResponseId,
                CreatedAt = time.GetUtcNow(),
            });
        }
    }
}
