using Berth.Contracts;
using MassTransit;

namespace Berth.IntegrationTests.Fixtures;

/// <summary>
/// An executor that is not one: a MassTransit bus in the test process that takes the pool's
/// first calls, beats like an executor, and answers each call as the test says, including with
/// messages no real executor would send. A fault injector for the planner, not a stand-in for
/// the executor, whose own tests run it for real.
/// </summary>
public sealed class BrokenExecutor : IAsyncDisposable
{
    private readonly IBusControl _bus;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _beating;

    private BrokenExecutor(IBusControl bus, string executorId)
    {
        _bus = bus;
        ExecutorId = executorId;
        _beating = BeatAsync();
    }

    public string ExecutorId { get; }

    /// <summary>Takes calls from the pool's queue and answers each with what <paramref name="answer"/> makes of it.</summary>
    public static async Task<BrokenExecutor> StartAsync(string brokerUri, Func<ToolCallRequested, ToolCallCompleted> answer)
    {
        var executorId = $"broken-{Guid.NewGuid().ToString("N")[..8]}";
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(new Uri(brokerUri));
            rabbit.ReceiveEndpoint(Endpoints.ExecutorsQueue, e =>
            {
                e.ConfigureConsumeTopology = false;
                e.Handler<ToolCallRequested>(context => context.Publish(answer(context.Message) with { ExecutorId = executorId }));
            });
        });
        await bus.StartAsync(TestContext.Current.CancellationToken);
        return new BrokenExecutor(bus, executorId);
    }

    private async Task BeatAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            await _bus.Publish(new ExecutorHeartbeat { ExecutorId = ExecutorId, SentAt = DateTimeOffset.UtcNow }, _stop.Token);
        }
        while (await timer.WaitForNextTickAsync(_stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _beating;
        }
        catch (OperationCanceledException)
        {
        }

        await _bus.StopAsync();
        _stop.Dispose();
    }
}
