using MassTransit;

namespace Berth.IntegrationTests.Storage;

// A saga small enough to watch every repository operation: created by the first Increment,
// updated by each one after, deleted by StopCounting. Each successful increment publishes Counted,
// held by the outbox until the saga is saved, so a retried message is counted once.

public sealed record Increment(Guid CounterId);

public sealed record StopCounting(Guid CounterId);

public sealed record Counted(Guid CounterId, int Count);

public sealed class CounterState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public int Version { get; set; }
    public int Count { get; set; }
}

public sealed class CounterStateMachine : MassTransitStateMachine<CounterState>
{
    public State Counting { get; private set; } = null!;
    public Event<Increment> Increment { get; private set; } = null!;
    public Event<StopCounting> Stopped { get; private set; } = null!;

    public CounterStateMachine()
    {
        InstanceState(counter => counter.CurrentState);
        Event(() => Increment, e => e.CorrelateById(m => m.Message.CounterId));
        Event(() => Stopped, e => e.CorrelateById(m => m.Message.CounterId));

        Initially(
            When(Increment)
                .Then(context => context.Saga.Count++)
                .Publish(context => new Counted(context.Saga.CorrelationId, context.Saga.Count))
                .TransitionTo(Counting));

        During(Counting,
            When(Increment)
                .Then(context => context.Saga.Count++)
                .Publish(context => new Counted(context.Saga.CorrelationId, context.Saga.Count)),
            When(Stopped).Finalize());

        SetCompletedWhenFinalized();
    }
}

public sealed class CounterStateMachineDefinition : SagaDefinition<CounterState>
{
    protected override void ConfigureSaga(IReceiveEndpointConfigurator endpointConfigurator, ISagaConfigurator<CounterState> sagaConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(retry => retry.Immediate(50));
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}
