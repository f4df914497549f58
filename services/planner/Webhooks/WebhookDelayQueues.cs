using Berth.ServiceDefaults;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Berth.Planner.Webhooks;

/// <summary>
/// Declares one delay queue per retry pause: no consumer reads it, and a message that expires
/// there (its own TTL, the pause with jitter) is dead-lettered into the delivery queue's exchange.
/// This is how retries wait hours without a scheduler: RabbitMQ's delayed-message plugin is not
/// available to us. Declared before the bus starts, so no retry is ever sent to a missing queue.
/// </summary>
public sealed class WebhookDelayQueues(IConfiguration configuration, IOptions<WebhookOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = MessagingExtensions.RabbitMqUri(configuration) };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);

        // The delivery endpoint's own exchange, declared as MassTransit declares it, in case the bus is not up yet.
        await channel.ExchangeDeclareAsync(WebhookDelivery.QueueName, ExchangeType.Fanout, durable: true, cancellationToken: cancellationToken);
        foreach (var seconds in options.Value.Delays.Distinct())
        {
            var name = WebhookDelivery.DelayQueueName(seconds);
            await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, cancellationToken: cancellationToken);
            await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-dead-letter-exchange"] = WebhookDelivery.QueueName },
                cancellationToken: cancellationToken);
            await channel.QueueBindAsync(name, name, routingKey: "", cancellationToken: cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Loads the receivers configured at start-up into the store.</summary>
public sealed class ConfiguredWebhookEndpoints(IWebhookStore store, IOptions<WebhookOptions> options, TimeProvider time) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var index = 0;
        foreach (var configured in options.Value.Endpoints)
        {
            if (WebhookEndpointConsumers.Problem(configured.Url, configured.Events, options.Value) is { } problem)
            {
                throw new InvalidOperationException($"Webhooks:Endpoints:{index}: {problem.Message}");
            }

            if (!WebhookSigner.IsValidSecret(configured.Secret))
            {
                throw new InvalidOperationException($"Webhooks:Endpoints:{index}:Secret must be 'whsec_' followed by base64.");
            }

            await store.AddAsync(new Contracts.WebhookEndpointSnapshot
            {
                Id = $"we_configured_{index++}",
                Url = configured.Url,
                Events = configured.Events,
                Secret = configured.Secret,
                CreatedAt = time.GetUtcNow(),
            }, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
