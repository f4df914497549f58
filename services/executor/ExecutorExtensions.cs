using Berth.Contracts;
using Berth.Executor.Calls;
using Berth.Executor.Identity;
using Berth.Executor.Peers;
using Berth.Executor.Sandbox;
using Berth.ServiceDefaults;
using Berth.ServiceDefaults.Images;
using Docker.DotNet;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Berth.Executor;

internal static class ExecutorExtensions
{
    // As long as a broker may take to come up beside the executor (compose starts both at once).
    private static readonly TimeSpan BrokerWait = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Claims this executor's id on the broker before anything else uses it, so the options,
    /// queues and container labels all carry one that no other live process has. It runs before
    /// the host is built because every one of those reads the id; until then there is no logger,
    /// so waiting for the broker is said on standard error.
    /// </summary>
    public static async Task ClaimExecutorIdentityAsync(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ExecutorOptions.Section);
        var pinned = section[nameof(ExecutorOptions.InstanceId)];
        ExecutorIdentity identity;
        try
        {
            identity = await ExecutorIdentity.ClaimAsync(MessagingExtensions.RabbitMqUri(builder.Configuration),
                string.IsNullOrWhiteSpace(pinned) ? null : pinned, Environment.MachineName, BrokerWait, message => Console.Error.WriteLine($"executor: {message}"), TimeProvider.System);
        }
        catch (ExecutorIdentityClashException e)
        {
            // An operator's mistake, not a crash: one line that names it, and exit code 1,
            // rather than an unhandled exception's stack trace and abort.
            await Console.Error.WriteLineAsync($"executor: {e.Message}");
            Environment.Exit(1);
            throw;
        }

        builder.Configuration.AddInMemoryCollection(
        [
            new($"{ExecutorOptions.Section}:{nameof(ExecutorOptions.InstanceId)}", identity.Id),
            new($"{ExecutorOptions.Section}:{nameof(ExecutorOptions.Deployment)}", section[nameof(ExecutorOptions.Deployment)] ?? identity.Deployment),
        ]);
        builder.Services.AddSingleton(identity);
        builder.Services.AddHostedService<IdentityWatch>();
    }

    public static IHostApplicationBuilder AddExecutor(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<ExecutorOptions>(ExecutorOptions.Section);

        builder.Services.AddSingleton(services =>
        {
            var settings = services.GetRequiredService<IOptions<ExecutorOptions>>().Value;
            var endpoint = settings.DockerEndpoint ?? builder.Configuration["DOCKER_HOST"] ?? "unix:///var/run/docker.sock";
            var client = new DockerClientBuilder().WithEndpoint(new Uri(endpoint));
            if (Version.TryParse(builder.Configuration["DOCKER_API_VERSION"], out var apiVersion))
            {
                client = client.WithApiVersion(apiVersion);
            }

            return client.Build();
        });
        builder.Services.AddSingleton<SandboxCgroup>(services => ActivatorUtilities.CreateInstance<SandboxCgroup>(services));
        builder.Services.AddHostedService(services => services.GetRequiredService<SandboxCgroup>());
        builder.Services.AddSandbox();
        builder.Services.AddSingleton<BackgroundCpu>();
        builder.Services.AddSingleton<ContainerFiles>();
        builder.Services.AddSingleton<ContainerSeeds>();
        builder.Services.AddSingleton<ContainerSkills>();
        builder.Services.AddSingleton<WorkspaceSnapshots>();
        builder.Services.AddSingleton<NewContainerSetup>();
        builder.Services.AddSingleton<RunningCalls>();
        builder.Services.AddSingleton<CallJournal>();
        builder.Services.AddSingleton<CallRecords>();
        builder.Services.AddSingleton<CommandLifetime>();
        builder.Services.AddSingleton<LetGoResults>();
        builder.Services.AddSingleton<DockerEngine>();
        builder.Services.AddSingleton<PeerExecutors>();
        builder.Services.AddSingleton<SessionHolders>();
        builder.Services.AddSingleton<OrphanedContainers>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddImageCatalog();
        builder.Services.AddSingleton<ImageCheck>();
        builder.Services.AddHostedService<ImagePools>();
        builder.Services.AddHostedService<ExecutorLifecycle>();
        builder.Services.AddHostedService<BackgroundCpuWatch>();
        builder.Services.AddHealthChecks().AddCheck<DockerHealthCheck>("docker", tags: [ObservabilityExtensions.ReadyTag]);
        return builder;
    }

    /// <summary>
    /// Session containers and what runs commands in them: the registry, the warm pool, the
    /// factory, the egress proxies, and the command runner <c>Executor:CommandMode</c> names.
    /// </summary>
    public static IServiceCollection AddSandbox(this IServiceCollection services)
    {
        services.AddSingleton<EgressProxies>();
        services.AddSingleton<DockerExec>();
        services.AddSingleton<ShellCommandRunner>();
        services.AddSingleton<ExecCommandRunner>();

        // In shell mode, an image without bash still runs: its containers get an exec per command.
        services.AddSingleton<ICommandRunner>(provider =>
            provider.GetRequiredService<IOptions<ExecutorOptions>>().Value.CommandMode == CommandMode.Shell
                ? ActivatorUtilities.CreateInstance<ShellOrExecRunner>(provider)
                : provider.GetRequiredService<ExecCommandRunner>());
        services.AddSingleton(provider => new IdleLimits(provider.GetRequiredService<IOptions<ExecutorOptions>>().Value));
        services.AddSingleton(provider => new UploadRecords(provider.GetRequiredService<IOptions<ExecutorOptions>>().Value));
        services.AddSingleton<SessionRegistry>();
        services.AddSingleton<ServedImages>();
        services.AddSingleton<SandboxFactory>();
        services.AddSingleton<WarmPool>();
        services.AddSingleton<DockerSandbox>();
        return services;
    }

    public static IBusRegistrationConfigurator AddExecutorConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ToolCallConsumer>().ExcludeFromConfigureEndpoints();
        bus.AddConsumer<ProvisionContainerConsumer>().ExcludeFromConfigureEndpoints();
        bus.AddConsumer<RemoveContainerConsumer>().ExcludeFromConfigureEndpoints();
        bus.AddConsumer<ContainerFilesConsumer>().ExcludeFromConfigureEndpoints();
        bus.AddConsumer<ToolCallCancelledConsumer>().ExcludeFromConfigureEndpoints();
        bus.AddConsumer<PeerHeartbeatConsumer>().ExcludeFromConfigureEndpoints();
        bus.AddConsumer<FindSessionHolderConsumer>().ExcludeFromConfigureEndpoints();
        return bus;
    }

    /// <summary>A pool's queue, where any executor that serves its image may take a session's first call or container.</summary>
    public static void ConfigurePoolEndpoint(IReceiveEndpointConfigurator e, IRegistrationContext context, ExecutorOptions settings)
    {
        // Calls are sent to a queue, never published: no exchange bindings for the message type.
        e.ConfigureConsumeTopology = false;
        if (e is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.PrefetchCount = settings.ConcurrentToolCalls;
        }

        e.ConcurrentMessageLimit = settings.ConcurrentToolCalls;
        e.ConfigureConsumer<ToolCallConsumer>(context);
        e.ConfigureConsumer<ProvisionContainerConsumer>(context);
    }

    /// <summary>
    /// Two queues feed one consumer: the pool's shared queue, where any executor may take a
    /// session's first call, and this executor's own, for the sessions whose containers it holds.
    /// </summary>
    public static void ConfigureExecutorEndpoints(this IRabbitMqBusFactoryConfigurator rabbit, IBusRegistrationContext context)
    {
        var settings = context.GetRequiredService<IOptions<ExecutorOptions>>().Value;

        // The default image's pool; the pools of the listed images are connected by ImagePools once checked.
        rabbit.ReceiveEndpoint(Endpoints.ExecutorsQueue, e => ConfigurePoolEndpoint(e, context, settings));

        rabbit.ReceiveEndpoint(Endpoints.ExecutorQueueName(settings.InstanceId), e =>
        {
            e.ConfigureConsumeTopology = false;
            // Durable, so a quick restart under the same id finds its calls still queued; deleted
            // by RabbitMQ once unused this long, so a dead executor's queue does not linger.
            e.SetQueueArgument("x-expires", (int)TimeSpan.FromMinutes(settings.QueueExpiryMinutes).TotalMilliseconds);
            e.PrefetchCount = settings.ConcurrentToolCalls;
            e.ConcurrentMessageLimit = settings.ConcurrentToolCalls;
            e.ConfigureConsumer<ToolCallConsumer>(context);
            // A container request passed on by another executor that found the container here.
            e.ConfigureConsumer<ProvisionContainerConsumer>(context);
            e.ConfigureConsumer<RemoveContainerConsumer>(context);

            // File operations from apis of before the files queue; as few at once as there.
            e.ConfigureConsumer<ContainerFilesConsumer>(context, c => c.UseConcurrentMessageLimit(settings.ConcurrentFileOperations));
        });

        // File operations on slots of their own: a slow or hostile one never holds a call's slot.
        rabbit.ReceiveEndpoint(Endpoints.ExecutorFilesQueueName(settings.InstanceId), e =>
        {
            e.ConfigureConsumeTopology = false;
            e.SetQueueArgument("x-expires", (int)TimeSpan.FromMinutes(settings.QueueExpiryMinutes).TotalMilliseconds);
            e.PrefetchCount = settings.ConcurrentFileOperations;
            e.ConcurrentMessageLimit = settings.ConcurrentFileOperations;
            e.ConfigureConsumer<ContainerFilesConsumer>(context);
        });

        // Cancels get a queue of their own, so a kill never waits behind the calls this executor
        // is busy with. Published to every executor; temporary, since a cancel for an executor
        // that is gone has nothing left to kill.
        rabbit.ReceiveEndpoint(new TemporaryEndpointDefinition($"berth-executor-{settings.InstanceId}-cancels"), e =>
            e.ConfigureConsumer<ToolCallCancelledConsumer>(context));

        // What the pool's other executors say: their heartbeats, and their questions about who
        // holds a session. Temporary, as only live executors can answer.
        rabbit.ReceiveEndpoint(new TemporaryEndpointDefinition($"berth-executor-{settings.InstanceId}-peers"), e =>
        {
            e.ConfigureConsumer<PeerHeartbeatConsumer>(context);
            e.ConfigureConsumer<FindSessionHolderConsumer>(context);
        });
    }
}
