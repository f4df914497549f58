using Berth.Contracts;
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
internal sealed class WebhookDelayQueues(IConfiguration configuration, IOptions<WebhookOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = MessagingExtensions.RabbitMqUri(configuration) };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);

        // The delivery endpoint's own exchange, declared as MassTransit declares it, in case the bus is not up yet.
        await channel.ExchangeDeclareAsync(Endpoints.WebhooksQueue, ExchangeType.Fanout, durable: true, cancellationToken: cancellationToken);
        foreach (var seconds in options.Value.Delays.Distinct())
        {
            var name = Endpoints.WebhookDelayQueueName(seconds);
            await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, cancellationToken: cancellationToken);
            await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-dead-letter-exchange"] = Endpoints.WebhooksQueue },
                cancellationToken: cancellationToken);
            await channel.QueueBindAsync(name, name, routingKey: "", cancellationToken: cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
