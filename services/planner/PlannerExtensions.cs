using Berth.Contracts;
using Berth.Planner.Intake;
using Berth.Planner.Model;
using Berth.Planner.Responses;
using Berth.Planner.Sessions;
using Berth.ServiceDefaults;
using MassTransit;

namespace Berth.Planner;

public static class PlannerExtensions
{
    public static IHostApplicationBuilder AddPlanner(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<PlannerOptions>(PlannerOptions.Section);
        builder.AddValidatedOptions<ModelOptions>(ModelOptions.Section)
            .PostConfigure(options =>
            {
                options.BaseUrl ??= builder.Configuration["OPENAI_BASE_URL"];
                options.ApiKey ??= builder.Configuration["OPENAI_API_KEY"];
            });

        builder.Services.AddSingleton<IResponseStore, InMemoryResponseStore>();
        builder.Services.AddSingleton<ChatModels>();
        builder.Services.AddScoped<SessionLoop>();
        return builder;
    }

    public static IBusRegistrationConfigurator AddPlannerConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddSagaStateMachine<SessionStateMachine, SessionState, SessionStateMachineDefinition>()
            .InMemoryRepository();
        bus.AddConsumer<TaskSubmittedConsumer>((context, consumer) =>
        {
            // The outbox holds the ResponseQueued publish and the reply until the consumer has
            // finished, so a retried submission is neither queued twice nor answered early.
            consumer.UseMessageRetry(retry => retry.Intervals(100, 500, 1000));
            consumer.UseInMemoryOutbox(context);
        }).Endpoint(e => e.Name = "berth-intake");
        bus.AddConsumer<GetResponseConsumer>().Endpoint(e => e.Name = "berth-responses");
        bus.AddConsumer<ModelCallConsumer>().Endpoint(e =>
        {
            e.Name = Endpoints.ModelQueue;
            e.ConcurrentMessageLimit = 32;
        });
        return bus;
    }
}
