using Berth.Contracts;
using Berth.Planner.Containers;
using Berth.Planner.Executors;
using Berth.Planner.Files;
using Berth.Planner.Intake;
using Berth.Planner.Model;
using Berth.Planner.Mongo;
using Berth.Planner.Responses;
using Berth.Planner.Sessions;
using Berth.Planner.Webhooks;
using Berth.ServiceDefaults;
using Berth.ServiceDefaults.Models;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MongoDB.Driver;

namespace Berth.Planner;

internal static class PlannerExtensions
{
    public static IHostApplicationBuilder AddPlanner(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<PlannerOptions>(PlannerOptions.Section);
        builder.AddValidatedOptions<ModelOptions>(ModelOptions.Section)
            .PostConfigure(options =>
            {
                options.BaseUrl ??= builder.Configuration["OPENAI_BASE_URL"];
                options.ApiKey ??= builder.Configuration["OPENAI_API_KEY"];
                options.HasCatalog = builder.Configuration.GetSection(ModelCatalog.Section).GetChildren().Any();
            });

        builder.AddModelCatalog();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ChatModels>();
        builder.Services.AddSingleton<TokenCounter>();
        builder.Services.AddSingleton<ContextCheck>();
        builder.Services.AddSingleton<ModelFiles>();
        builder.Services.AddSingleton<CompactionSeal>();
        builder.Services.AddSingleton<Compactor>();
        builder.Services.AddSingleton<Conversations.ConversationHistory>();
        builder.Services.AddSingleton<IModelCaller, ModelCaller>();
        builder.Services.AddSingleton<ModelCancels>();
        builder.Services.AddSingleton<ModelTurns>();
        builder.Services.AddSingleton<TextDeltaRelay>();

        // A model call in flight on shutdown gets a while to finish, then is cancelled so the
        // planner stops; its AskModel goes back to the queue and another planner asks again.
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(options => options.ConsumerStopTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSessionSteps();
        builder.Services.AddSingleton<ResponseEvents>();
        builder.Services.AddSingleton<ResponseEnding>();
        builder.Services.AddSingleton<ExecutorRegistry>();
        builder.Services.AddSingleton<ExecutorLocks>();
        builder.Services.AddOptions<Tenants.TenantOptions>()
            .Configure(tenants => tenants.Bind(builder.Configuration))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<Tenants.TenantAdmission>();
        builder.Services.AddSingleton<Containers.SessionContainers>();
        builder.Services.AddSingleton<SessionPlacement>();
        builder.Services.AddSingleton<Snapshots.WorkspaceArchives>();
        builder.Services.AddSingleton<ForkSeeds>();
        builder.Services.AddHostedService<ExecutorWatch>();
        builder.Services.AddSingleton<ResponseWatchdog>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ResponseWatchdog>());
        builder.Services.AddHostedService<UnstoredResponsePurge>();
        builder.Services.AddHostedService<ExpiredFilePurge>();
        builder.Services.AddHostedService<Snapshots.ExpiredSnapshotPurge>();
        builder.Services.AddHostedService<Queues.QueueDepths>();

        builder.AddValidatedOptions<WebhookOptions>(WebhookOptions.Section);
        builder.Services.AddHostedService<ConfiguredWebhookEndpoints>();
        builder.Services.AddHostedService<WebhookDelayQueues>();
        builder.Services.AddWebhookClients();
        return builder;
    }

    /// <summary>
    /// The HTTP clients that deliver webhooks. A receiver must not bounce deliveries to a host the
    /// operator did not allow. A tenant's receiver is connected to only at the public address
    /// that was checked, and never through a proxy (which would connect elsewhere, unchecked).
    /// </summary>
    public static IServiceCollection AddWebhookClients(this IServiceCollection services)
    {
        services.TryAddSingleton<IWebhookResolver, DnsWebhookResolver>();
        services.AddSingleton<WebhookTargets>();

        // The client factory's own log lines name each request's URL, and a receiver's URL may
        // carry its secret (in the path, as a Slack hook's does): deliveries are logged by
        // endpoint id instead (WebhookDelivery).
        services.AddHttpClient(WebhookDelivery.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectCallback = provider.GetRequiredService<WebhookTargets>().ConnectAsync,
            })
            .RemoveAllLoggers();
        services.AddHttpClient(WebhookDelivery.OperatorHttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .RemoveAllLoggers();
        return services;
    }

    /// <summary>
    /// Chooses where responses and sessions live: MongoDB from <c>ConnectionStrings:mongodb</c>,
    /// or this process's memory when told so explicitly. Neither: the planner says so and stops.
    /// </summary>
    public static PlannerStore AddPlannerStorage(this IHostApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetSection(PlannerOptions.Section).GetValue<PlannerStore?>(nameof(PlannerOptions.Store)) ?? PlannerStore.Auto;
        var connection = builder.Configuration.GetConnectionString("mongodb");
        var store = (configured, string.IsNullOrWhiteSpace(connection)) switch
        {
            (PlannerStore.InMemory, _) => PlannerStore.InMemory,
            (_, false) => PlannerStore.MongoDb,
            (PlannerStore.MongoDb, true) => throw new InvalidOperationException(
                "Planner__Store is MongoDb but ConnectionStrings__mongodb is not set."),
            _ => throw new InvalidOperationException(
                "No state store: set ConnectionStrings__mongodb (for example mongodb://127.0.0.1:27017/berth), "
                + "or Planner__Store=InMemory to keep responses and sessions in this process only (lost on restart; one planner only)."),
        };

        if (store == PlannerStore.InMemory)
        {
            builder.Services.AddSingleton<IResponseStore, InMemoryResponseStore>();
            builder.Services.AddSingleton<IContainerStore, InMemoryContainerStore>();
            builder.Services.AddSingleton<IWebhookStore, InMemoryWebhookStore>();
            builder.Services.AddSingleton<IFileStore, InMemoryFileStore>();
            builder.Services.AddSingleton<Snapshots.IWorkspaceSnapshotStore, Snapshots.InMemoryWorkspaceSnapshotStore>();
            builder.Services.AddSingleton<Conversations.IConversationStore, Conversations.InMemoryConversationStore>();
            builder.Services.AddSingleton<Skills.ISkillStore, Skills.InMemorySkillStore>();
            return store;
        }

        MongoSetup.ConfigureSerialization();
        var url = MongoUrl.Create(connection);
        builder.Services.AddSingleton<IMongoClient>(_ => new MongoClient(url));
        builder.Services.AddSingleton(services => services.GetRequiredService<IMongoClient>().GetDatabase(url.DatabaseName ?? "berth"));
        builder.Services.AddSingleton<IResponseStore, MongoResponseStore>();
        builder.Services.AddSingleton<IContainerStore, MongoContainerStore>();
        builder.Services.AddSingleton<IWebhookStore, MongoWebhookStore>();
        builder.Services.AddSingleton<IFileStore, MongoFileStore>();
        builder.Services.AddSingleton<Snapshots.IWorkspaceSnapshotStore, MongoWorkspaceSnapshotStore>();
        builder.Services.AddSingleton<Conversations.IConversationStore, MongoConversationStore>();
        builder.Services.AddSingleton<Skills.ISkillStore, MongoSkillStore>();
        builder.Services.AddHostedService<MongoIndexes>();
        builder.Services.AddHealthChecks().AddCheck<MongoHealthCheck>("mongodb", tags: [ObservabilityExtensions.ReadyTag]);
        return store;
    }

    public static IBusRegistrationConfigurator AddPlannerConsumers(this IBusRegistrationConfigurator bus, PlannerStore store)
    {
        var sessions = bus.AddSagaStateMachine<SessionStateMachine, SessionState, SessionStateMachineDefinition>();
        if (store == PlannerStore.MongoDb)
        {
            sessions.MongoRepository(MongoSetup.SessionsCollection);
        }
        else
        {
            sessions.InMemoryRepository();
        }

        bus.AddConsumer<AskModelConsumer, AskModelConsumerDefinition>();
        bus.AddConsumer<SessionStepFaultConsumer, SessionStepFaultConsumerDefinition>();
        bus.AddConsumer<TaskSubmittedConsumer, TaskSubmittedConsumerDefinition>();
        bus.AddConsumer<GetResponseConsumer, GetResponseConsumerDefinition>();
        bus.AddConsumer<CancelResponseConsumer, CancelResponseConsumerDefinition>();
        bus.AddConsumer<GetResponseEventsConsumer, GetResponseEventsConsumerDefinition>();
        bus.AddConsumer<ResponseRecordsConsumer, ResponseRecordsConsumerDefinition>();
        bus.AddConsumer<ListModelsConsumer, ListModelsConsumerDefinition>();
        bus.AddConsumer<CreateContainerConsumer, CreateContainerConsumerDefinition>();
        bus.AddConsumer<ContainerQueriesConsumer, ContainerQueriesConsumerDefinition>();
        bus.AddConsumer<DeleteContainerConsumer, DeleteContainerConsumerDefinition>();
        bus.AddConsumer<ContainerRemovedConsumer, ContainerRemovedConsumerDefinition>();
        bus.AddConsumer<FileConsumers, FileConsumersDefinition>();
        bus.AddConsumer<Snapshots.WorkspaceSnapshotConsumers, Snapshots.WorkspaceSnapshotConsumersDefinition>();
        bus.AddConsumer<Conversations.ConversationConsumers, Conversations.ConversationConsumersDefinition>();
        bus.AddConsumer<CompactConversationConsumer, CompactConversationConsumerDefinition>();
        bus.AddConsumer<Skills.SkillConsumers, Skills.SkillConsumersDefinition>();
        bus.AddConsumer<WebhookEndpointConsumers, WebhookEndpointConsumersDefinition>();
        bus.AddConsumer<WebhookDispatcher, WebhookDispatcherDefinition>();
        bus.AddConsumer<WebhookDelivery, WebhookDeliveryDefinition>();

        // On queues of each planner's own (ConfigurePlannerEndpoints), not on shared ones.
        bus.AddConsumer<ModelCallCanceller>().ExcludeFromConfigureEndpoints();
        bus.AddConsumer<ExecutorHeartbeatConsumer>().ExcludeFromConfigureEndpoints();
        return bus;
    }

    /// <summary>
    /// Queues of this planner's own: heartbeats, as every planner watches every executor; and
    /// cancels, as the model call a cancel must stop may be running on any planner.
    /// </summary>
    public static void ConfigurePlannerEndpoints(this IRabbitMqBusFactoryConfigurator rabbit, IBusRegistrationContext context)
    {
        rabbit.ReceiveEndpoint(new TemporaryEndpointDefinition("berth-planner-heartbeats"), e =>
        {
            e.ConfigureConsumer<ExecutorHeartbeatConsumer>(context);
            e.ConnectReceiveEndpointObserver(new HeartbeatsListening(context.GetRequiredService<ExecutorRegistry>()));
        });
        rabbit.ReceiveEndpoint(new TemporaryEndpointDefinition("berth-planner-cancels"), e => e.ConfigureConsumer<ModelCallCanceller>(context));
    }
}
