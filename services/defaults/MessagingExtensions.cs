using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Berth.ServiceDefaults;

public static class MessagingExtensions
{
    /// <summary>
    /// MassTransit on RabbitMQ, from the <c>ConnectionStrings:rabbitmq</c> amqp:// URI
    /// (<c>ConnectionStrings__rabbitmq</c> in the environment). Fails at start-up, with the
    /// name of the missing setting, rather than at the first publish.
    /// </summary>
    public static IHostApplicationBuilder AddBerthMessaging(
        this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator> configureConsumers,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator>? configureBus = null)
    {
        var broker = RabbitMqUri(builder.Configuration);

        builder.Services.AddMassTransit(bus =>
        {
            // MassTransit reports usage to its vendor over the internet by default. A self-hosted
            // runtime that promises network control sends nothing anywhere it was not told to.
            bus.DisableUsageTelemetry();
            bus.SetKebabCaseEndpointNameFormatter();
            configureConsumers(bus);

            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(broker);
                configureBus?.Invoke(context, rabbit);
                rabbit.ConfigureEndpoints(context);
            });
        });

        // Start-up waits for the broker so a service is never "up" without its bus.
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(options =>
        {
            options.WaitUntilStarted = true;
            options.StartTimeout = TimeSpan.FromSeconds(60);
            options.StopTimeout = TimeSpan.FromSeconds(30);
        });

        return builder;
    }

    public static Uri RabbitMqUri(IConfiguration configuration)
    {
        var value = configuration.GetConnectionString("rabbitmq");
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                "No broker configured: set ConnectionStrings__rabbitmq to an amqp:// URI, for example amqp://guest:guest@127.0.0.1:5672/.");
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
        {
            throw new InvalidOperationException($"ConnectionStrings__rabbitmq must be an amqp:// or amqps:// URI; got '{Redact(value)}'.");
        }

        return uri;
    }

    // The URI may carry a password; never echo it into a log.
    private static string Redact(string value)
    {
        var at = value.LastIndexOf('@');
        var scheme = value.IndexOf("://", StringComparison.Ordinal);
        return at > 0 && scheme > 0 ? string.Concat(value.AsSpan(0, scheme + 3), "***", value.AsSpan(at)) : value;
    }
}
