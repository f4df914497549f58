using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Berth.Contracts;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Webhooks;

/// <summary>
/// Delivers one event to one endpoint: a signed POST, 2xx within the timeout or it counts as
/// failed. A failure is retried later through a RabbitMQ delay queue (a queue without consumers
/// whose messages expire into the delivery queue), so a slow or dead receiver holds nothing up.
/// </summary>
internal sealed partial class WebhookDelivery(
    IWebhookStore store,
    IHttpClientFactory http,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookDelivery> logger) : IConsumer<DeliverWebhook>
{
    public const string HttpClientName = "berth-webhooks";

    /// <summary>For the operator's own endpoints, from configuration: trusted, so they may be on private networks.</summary>
    public const string OperatorHttpClientName = "berth-webhooks-operator";
    public async Task Consume(ConsumeContext<DeliverWebhook> context)
    {
        var delivery = context.Message;
        var endpoint = await store.FindAsync(delivery.EndpointId, context.CancellationToken);
        if (endpoint?.Secret is null)
        {
            return;
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            id = delivery.EventId,
            @object = "event",
            type = delivery.Type,
            created_at = delivery.CreatedAt.ToUnixTimeSeconds(),
            data = new { id = delivery.ResponseId },
        });
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();

        int? status = null;
        string? error = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("webhook-id", delivery.EventId);
            request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", WebhookSigner.Sign(endpoint.Secret, delivery.EventId, timestamp, body));

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.TimeoutSeconds));
            var client = http.CreateClient(endpoint.Tenant is null ? OperatorHttpClientName : HttpClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !context.CancellationToken.IsCancellationRequested)
        {
            error = Reason(e);
            LogAttemptFailed(delivery.EventId, endpoint.Id, e);
        }

        if (status is >= 200 and < 300)
        {
            await RecordAsync(delivery, status, null, "delivered");
            return;
        }

        error ??= $"the receiver answered {status}";
        var delays = options.Value.Delays;
        if (delivery.Attempt > delays.Count)
        {
            LogDead(delivery.EventId, endpoint.Id, delivery.Attempt, error);
            await RecordAsync(delivery, status, error, "dead");
            return;
        }

        await RecordAsync(delivery, status, error, "retrying");
        var tier = delays[delivery.Attempt - 1];
        var jittered = TimeSpan.FromSeconds(tier * (0.8 + (0.4 * Random.Shared.NextDouble())));
        await context.Send(new Uri($"exchange:{Endpoints.WebhookDelayQueueName(tier)}"), delivery with { Attempt = delivery.Attempt + 1 },
            send => send.TimeToLive = jittered);
    }

    private Task RecordAsync(DeliverWebhook delivery, int? status, string? error, string outcome)
    {
        PlannerTelemetry.WebhookAttempted(outcome);
        return store.RecordAsync(delivery.EndpointId, new WebhookDeliveryAttempt
        {
            EventId = delivery.EventId,
            Type = delivery.Type,
            ResponseId = delivery.ResponseId,
            Attempt = delivery.Attempt,
            StatusCode = status,
            Error = error,
            Outcome = outcome,
            At = time.GetUtcNow(),
        }, CancellationToken.None);
    }

    /// <summary>
    /// What the delivery log shows a tenant: a generic reason, never the exception's text, which
    /// would tell a prober what answers on which port of which host. The detail is logged.
    /// </summary>
    private string Reason(Exception e) => e switch
    {
        OperationCanceledException => $"no answer within {options.Value.TimeoutSeconds} s",
        HttpRequestException { InnerException: WebhookTargetRefusedException } => WebhookTargets.NotPublic,
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => "the receiver's host does not resolve",
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "could not connect to the receiver",
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => "the TLS handshake with the receiver failed",
        _ => "the delivery failed",
    };

    // Endpoint ids, not URLs: a receiver's URL may carry a secret in its query.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {EventId} to endpoint {EndpointId} given up after {Attempts} attempts: {Error}")]
    private partial void LogDead(string eventId, string endpointId, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {EventId} to endpoint {EndpointId}: attempt failed")]
    private partial void LogAttemptFailed(string eventId, string endpointId, Exception exception);
}
