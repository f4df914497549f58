using Berth.Contracts;
using Berth.Planner.Tenants;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Webhooks;

/// <summary>Registers, lists and removes webhook endpoints, for <c>/v1/webhook_endpoints</c>.</summary>
internal sealed class WebhookEndpointConsumers(IWebhookStore store, WebhookTargets targets, IOptions<WebhookOptions> options)
    : IConsumer<CreateWebhookEndpoint>, IConsumer<ListWebhookEndpoints>, IConsumer<DeleteWebhookEndpoint>, IConsumer<ListWebhookDeliveries>
{
    public static readonly IReadOnlySet<string> EventTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        StreamEventTypes.Completed, StreamEventTypes.Failed, StreamEventTypes.Cancelled, StreamEventTypes.Incomplete,
    };

    public async Task Consume(ConsumeContext<CreateWebhookEndpoint> context)
    {
        var request = context.Message;
        var problem = Problem(request.Url, request.Events, options.Value);
        if (problem is null && await targets.ProblemAsync(new Uri(request.Url).Host, context.CancellationToken) is { } unreachable)
        {
            problem = ("url", $"Invalid 'url': {unreachable}; Berth delivers webhooks to public addresses only.");
        }

        var tenant = Tenancy.Of(request.Tenant);
        if (problem is null && (await store.AllAsync(context.CancellationToken)).Count(e => e.Tenant == tenant) >= options.Value.MaxEndpointsPerTenant)
        {
            problem = ("url", $"A tenant may have at most {options.Value.MaxEndpointsPerTenant} webhook endpoints; delete one first.");
        }

        if (problem is { } refused)
        {
            await context.RespondAsync(new TaskRejected { ResponseId = request.EndpointId, Code = RequestErrorCodes.InvalidValue, Param = refused.Param, Message = refused.Message });
            return;
        }

        var endpoint = new WebhookEndpointSnapshot
        {
            Id = request.EndpointId,
            Url = request.Url,
            Events = request.Events,
            Secret = WebhookSigner.NewSecret(),
            CreatedAt = request.CreatedAt,
            Tenant = tenant,
        };
        await store.AddAsync(endpoint, context.CancellationToken);
        await context.RespondAsync(endpoint);
    }

    public async Task Consume(ConsumeContext<ListWebhookEndpoints> context) =>
        await context.RespondAsync(new WebhookEndpointList([.. (await store.AllAsync(context.CancellationToken))
            .Where(e => Visible(e, context.Message.Tenant)).Select(e => e with { Secret = null })]));

    public async Task Consume(ConsumeContext<DeleteWebhookEndpoint> context)
    {
        var endpoint = await store.FindAsync(context.Message.EndpointId, context.CancellationToken);
        if (endpoint is null || !Visible(endpoint, context.Message.Tenant) || !await store.RemoveAsync(endpoint.Id, context.CancellationToken))
        {
            await context.RespondAsync(new WebhookEndpointNotFound(context.Message.EndpointId));
            return;
        }

        await context.RespondAsync(endpoint with { Secret = null });
    }

    public async Task Consume(ConsumeContext<ListWebhookDeliveries> context)
    {
        if (await store.FindAsync(context.Message.EndpointId, context.CancellationToken) is not { } endpoint || !Visible(endpoint, context.Message.Tenant))
        {
            await context.RespondAsync(new WebhookEndpointNotFound(context.Message.EndpointId));
            return;
        }

        await context.RespondAsync(new WebhookDeliveryList(await store.AttemptsAsync(context.Message.EndpointId, 500, context.CancellationToken)));
    }

    /// <summary>
    /// A tenant sees only its own endpoints. The operator's, from configuration, belong to no
    /// tenant and are changed only by changing the configuration.
    /// </summary>
    private static bool Visible(WebhookEndpointSnapshot endpoint, string? tenant) => endpoint.Tenant is not null && Tenancy.Owns(endpoint.Tenant, tenant);

    /// <summary>Why a receiver URL or event list is refused, if it is.</summary>
    public static (string Param, string Message)? Problem(string url, IReadOnlyList<string> events, WebhookOptions options)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return ("url", $"Invalid 'url': '{url}' is not an http:// or https:// URL.");
        }

        if (options.AllowedHosts.Count > 0 && !options.AllowedHosts.Contains(uri.Host, StringComparer.OrdinalIgnoreCase))
        {
            return ("url", $"Invalid 'url': host '{uri.Host}' is not among the hosts this Berth may call (Webhooks:AllowedHosts).");
        }

        if (events.FirstOrDefault(e => !EventTypes.Contains(e)) is { } unknown)
        {
            return ("events", $"Invalid 'events': '{unknown}' is not one of {string.Join(", ", EventTypes.Order())}.");
        }

        return null;
    }
}
