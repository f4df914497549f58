using System.Text.Json;
using Berth.Api.Errors;
using Berth.Api.Security;
using Berth.Contracts;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Api.Webhooks;

/// <summary><c>/v1/webhook_endpoints</c>: receivers of signed <c>response.*</c> events. The planner keeps them and delivers.</summary>
internal sealed class WebhooksService(
    PlannerClient planner,
    IOptions<ApiOptions> options,
    RequestTenant tenant,
    TimeProvider time)
{
    public async Task<IResult> CreateAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        var (document, invalid) = await JsonBody.ReadAsync(http, options.Value.MaxJsonBodyBytes, cancellationToken);
        if (document is null)
        {
            return invalid!.ToResult();
        }

        JsonElement body;
        using (document)
        {
            body = document.RootElement.Clone();
        }

        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String)
        {
            return ApiError.InvalidRequest("Missing required parameter: 'url'.", "url", RequestErrorCodes.MissingRequiredParameter).ToResult();
        }

        var events = new List<string>();
        if (body.TryGetProperty("events", out var given) && given.ValueKind != JsonValueKind.Null)
        {
            if (given.ValueKind != JsonValueKind.Array || given.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            {
                return ApiError.InvalidRequest("Invalid type for 'events': expected an array of strings.", "events", RequestErrorCodes.InvalidType).ToResult();
            }

            events.AddRange(given.EnumerateArray().Select(e => e.GetString()!));
        }

        var reply = await planner.Ask<CreateWebhookEndpoint>().GetResponse<WebhookEndpointSnapshot, TaskRejected>(new CreateWebhookEndpoint
        {
            EndpointId = $"we_{Guid.NewGuid():N}",
            Url = url.GetString()!,
            Events = events,
            CreatedAt = time.GetUtcNow(),
            Tenant = tenant.Id,
        }, cancellationToken);
        if (reply.Is(out Response<TaskRejected>? rejected))
        {
            return ApiError.InvalidRequest(rejected.Message.Message, rejected.Message.Param, rejected.Message.Code).ToResult();
        }

        return reply.Is(out Response<WebhookEndpointSnapshot>? created)
            ? Results.Json(Render(created.Message))
            : throw new InvalidOperationException("The planner answered neither created nor rejected.");
    }

    public async Task<IResult> ListAsync(CancellationToken cancellationToken)
    {
        var endpoints = (await planner.Ask<ListWebhookEndpoints>().GetResponse<WebhookEndpointList>(new ListWebhookEndpoints { Tenant = tenant.Id }, cancellationToken)).Message.Endpoints;
        return Results.Json(new { @object = "list", data = endpoints.Select(Render), has_more = false });
    }

    public async Task<IResult> DeleteAsync(string endpointId, CancellationToken cancellationToken)
    {
        var reply = await planner.Ask<DeleteWebhookEndpoint>().GetResponse<WebhookEndpointSnapshot, WebhookEndpointNotFound>(new DeleteWebhookEndpoint(endpointId) { Tenant = tenant.Id }, cancellationToken);
        return reply.Is(out Response<WebhookEndpointSnapshot>? _)
            ? Results.Json(new { id = endpointId, @object = "webhook_endpoint.deleted", deleted = true })
            : NotFound(endpointId);
    }

    public async Task<IResult> DeliveriesAsync(string endpointId, CancellationToken cancellationToken)
    {
        var reply = await planner.Ask<ListWebhookDeliveries>().GetResponse<WebhookDeliveryList, WebhookEndpointNotFound>(new ListWebhookDeliveries(endpointId) { Tenant = tenant.Id }, cancellationToken);
        if (!reply.Is(out Response<WebhookDeliveryList>? found))
        {
            return NotFound(endpointId);
        }

        return Results.Json(new
        {
            @object = "list",
            data = found.Message.Attempts.Select(a => new
            {
                @object = "webhook_delivery",
                event_id = a.EventId,
                type = a.Type,
                response_id = a.ResponseId,
                attempt = a.Attempt,
                status_code = a.StatusCode,
                error = a.Error,
                outcome = a.Outcome,
                created_at = a.At.ToUnixTimeSeconds(),
            }),
            has_more = false,
        });
    }

    private static object Render(WebhookEndpointSnapshot endpoint) => endpoint.Secret is null
        ? new { id = endpoint.Id, @object = "webhook_endpoint", url = endpoint.Url, events = endpoint.Events, created_at = endpoint.CreatedAt.ToUnixTimeSeconds() }
        : new { id = endpoint.Id, @object = "webhook_endpoint", url = endpoint.Url, events = endpoint.Events, created_at = endpoint.CreatedAt.ToUnixTimeSeconds(), secret = endpoint.Secret };

    private static IResult NotFound(string endpointId) => ApiError.NotFound($"Webhook endpoint with id '{endpointId}' not found.").ToResult();
}

internal static class WebhooksEndpoints
{
    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var endpoints = app.MapGroup("/v1/webhook_endpoints").RequireIdShapes();
        endpoints.MapPost("", (HttpRequest request, WebhooksService service, CancellationToken cancellationToken) => service.CreateAsync(request, cancellationToken));
        endpoints.MapGet("", (WebhooksService service, CancellationToken cancellationToken) => service.ListAsync(cancellationToken));
        endpoints.MapDelete("/{endpointId}", (string endpointId, WebhooksService service, CancellationToken cancellationToken) => service.DeleteAsync(endpointId, cancellationToken));
        endpoints.MapGet("/{endpointId}/deliveries", (string endpointId, WebhooksService service, CancellationToken cancellationToken) =>
            service.DeliveriesAsync(endpointId, cancellationToken));
        return app;
    }
}
