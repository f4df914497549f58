using System.Collections.Concurrent;
using MassTransit;

namespace Berth.IntegrationTests.Fixtures;

/// <summary>
/// A MassTransit bus in the test process, on a stack's broker: sends messages as a service would,
/// and keeps every copy of the published <typeparamref name="T"/> it hears, on a queue of its own.
/// </summary>
public sealed class BusProbe<T> : IAsyncDisposable
    where T : class
{
    private readonly IBusControl _bus;

    internal BusProbe(IBusControl bus) => _bus = bus;

    public ConcurrentQueue<T> Heard { get; } = new();

    public async Task SendAsync(Uri address, object message)
    {
        var endpoint = await _bus.GetSendEndpoint(address);
        await endpoint.Send(message, message.GetType(), TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync() => new(_bus.StopAsync());
}

public static class BusProbe
{
    public static async Task<BusProbe<T>> StartAsync<T>(string brokerUri)
        where T : class
    {
        BusProbe<T>? probe = null;
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(new Uri(brokerUri));
            rabbit.ReceiveEndpoint(new TemporaryEndpointDefinition($"test-probe-{Guid.NewGuid():N}"), e =>
                e.Handler<T>(context =>
                {
                    probe!.Heard.Enqueue(context.Message);
                    return Task.CompletedTask;
                }));
        });
        probe = new BusProbe<T>(bus);
        await bus.StartAsync(TestContext.Current.CancellationToken);
        return probe;
    }
}
