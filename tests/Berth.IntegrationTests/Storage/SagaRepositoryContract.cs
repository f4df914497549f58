using Berth.IntegrationTests.Fixtures;
using Berth.Planner.Mongo;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using MongoDB.Driver;

namespace Berth.IntegrationTests.Storage;

/// <summary>
/// What the saga repository must do, on MassTransit's test harness: MassTransit's in-memory
/// repository always, Berth's MongoDB repository wherever a MongoDB is reachable.
/// </summary>
public abstract class SagaRepositoryContract
{
    /// <summary>Registers the repository under test; the same storage each time it is called in one test.</summary>
    protected abstract void UseRepository(IServiceCollection services, ISagaRegistrationConfigurator<CounterState> saga);

    protected abstract void SkipUnlessDurable();

    protected async Task<(ServiceProvider Provider, ITestHarness Harness)> StartAsync(Action<IServiceCollection>? shared = null)
    {
        var services = new ServiceCollection();
        shared?.Invoke(services);
        services.AddMassTransitTestHarness(bus =>
        {
            bus.SetTestTimeouts(testInactivityTimeout: TimeSpan.FromSeconds(5));
            UseRepository(services, bus.AddSagaStateMachine<CounterStateMachine, CounterState, CounterStateMachineDefinition>());
        });
        var provider = services.BuildServiceProvider(validateScopes: true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        return (provider, harness);
    }

    [Fact]
    public async Task Should_insert_on_the_first_message_and_update_on_the_next()
    {
        var (provider, harness) = await StartAsync();
        await using var _ = provider;
        var id = Guid.NewGuid();

        await harness.Bus.Publish(new Increment(id));
        Assert.True(await harness.Published.Any<Counted>(m => m.Context.Message == new Counted(id, 1)));
        await harness.Bus.Publish(new Increment(id));

        Assert.True(await harness.Published.Any<Counted>(m => m.Context.Message == new Counted(id, 2)));
        Assert.NotNull(await harness.GetSagaStateMachineHarness<CounterStateMachine, CounterState>().Exists(id, machine => machine.Counting));
    }

    [Fact]
    public async Task Should_delete_the_saga_when_it_finalizes()
    {
        var (provider, harness) = await StartAsync();
        await using var _ = provider;
        var id = Guid.NewGuid();
        await harness.Bus.Publish(new Increment(id));
        Assert.True(await harness.Published.Any<Counted>(m => m.Context.Message.CounterId == id));

        await harness.Bus.Publish(new StopCounting(id));

        var sagas = harness.GetSagaStateMachineHarness<CounterStateMachine, CounterState>();
        Assert.True(await sagas.Consumed.Any<StopCounting>(m => m.Context.Message.CounterId == id));

        // Gone, not just finalized: the next Increment creates the saga afresh and counts from one.
        await harness.Bus.Publish(new Increment(id));
        Assert.Equal(2, harness.Published.Select<Counted>(m => m.Context.Message == new Counted(id, 1)).Count());
        Assert.Empty(harness.Published.Select<Counted>(m => m.Context.Message == new Counted(id, 2)));
    }

    [Fact]
    public async Task Should_apply_every_message_once_when_first_messages_race()
    {
        var (provider, harness) = await StartAsync();
        await using var _ = provider;
        var id = Guid.NewGuid();
        const int racers = 12;

        await Task.WhenAll(Enumerable.Range(0, racers).Select(_ => harness.Bus.Publish(new Increment(id))));

        Assert.True(await harness.Published.Any<Counted>(m => m.Context.Message == new Counted(id, racers)), "not every increment was applied");
        var counts = harness.Published.Select<Counted>(m => m.Context.Message.CounterId == id).Select(m => m.Context.Message.Count).Order().ToList();
        Assert.Equal(Enumerable.Range(1, racers), counts);
    }

    [Fact]
    public async Task Should_resume_from_the_stored_state_after_a_restart()
    {
        SkipUnlessDurable();
        var id = Guid.NewGuid();
        var (before, first) = await StartAsync();
        await first.Bus.Publish(new Increment(id));
        await first.Bus.Publish(new Increment(id));
        Assert.True(await first.Published.Any<Counted>(m => m.Context.Message == new Counted(id, 2)));
        await first.Stop();
        await before.DisposeAsync();

        var (after, second) = await StartAsync();
        await using var _ = after;
        await second.Bus.Publish(new Increment(id));

        Assert.True(await second.Published.Any<Counted>(m => m.Context.Message == new Counted(id, 3)));
    }
}

public sealed class InMemorySagaRepositoryTests : SagaRepositoryContract
{
    protected override void UseRepository(IServiceCollection services, ISagaRegistrationConfigurator<CounterState> saga) => saga.InMemoryRepository();

    protected override void SkipUnlessDurable() =>
        Assert.Skip("The in-memory repository lives and dies with its process, by design: there is nothing to resume after a restart.");
}

public sealed class MongoSagaRepositoryTests(MongoFixture mongo) : SagaRepositoryContract, IClassFixture<MongoFixture>
{
    private readonly Lazy<IMongoDatabase> _database = new(mongo.NewDatabase);

    protected override void UseRepository(IServiceCollection services, ISagaRegistrationConfigurator<CounterState> saga)
    {
        services.AddSingleton(_database.Value);
        saga.MongoRepository("counters");
    }

    protected override void SkipUnlessDurable() => mongo.SkipIfUnavailable();
}
