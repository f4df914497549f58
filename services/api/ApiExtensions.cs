using Berth.Api.Containers;
using Berth.Api.Responses;
using Berth.Api.Webhooks;
using Berth.Contracts;
using Berth.ServiceDefaults;
using Berth.ServiceDefaults.Images;
using Berth.ServiceDefaults.Models;
using MassTransit;

namespace Berth.Api;

internal static class ApiExtensions
{
    public static IHostApplicationBuilder AddApi(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<ApiOptions>(ApiOptions.Section);
        builder.AddModelCatalog();
        builder.AddImageCatalog();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddExceptionHandler<Errors.PlannerTimeoutHandler>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<PlannerClient>();
        builder.Services.AddSingleton<ResponseWaiters>();
        builder.Services.AddSingleton<StreamSlots>();
        builder.Services.AddSingleton<ResponseEventHub>();
        builder.Services.AddScoped<Security.RequestTenant>();
        builder.Services.AddScoped<ResponseStreamer>();
        builder.Services.AddScoped<ResponsesService>();
        builder.Services.AddScoped<ResponseRecordsService>();
        builder.Services.AddScoped<ContainersService>();
        builder.Services.AddScoped<ContainerFilesService>();
        builder.Services.AddScoped<WorkspaceSnapshotsService>();
        builder.Services.AddScoped<UploadedFileCopies>();
        builder.Services.AddScoped<InputFiles>();
        builder.Services.AddScoped<CompactionService>();
        builder.Services.AddScoped<Skills.SkillsService>();
        builder.Services.AddScoped<Skills.SkillSeeds>();
        builder.Services.AddScoped<Conversations.ConversationsService>();
        builder.Services.AddScoped<WebhooksService>();
        builder.Services.AddScoped<Files.FilesService>();
        builder.Services.AddScoped<Files.FileUpload>();
        builder.Services.AddScoped<Models.ModelsService>();
        return builder;
    }

    /// <summary>What this instance hears of the planner: finished responses and stream events (its requests go through <see cref="PlannerClient"/>).</summary>
    public static IBusRegistrationConfigurator AddApiConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ResponseFinishedConsumer>().ExcludeFromConfigureEndpoints();
        bus.AddConsumer<ResponseEventsAppendedConsumer>().ExcludeFromConfigureEndpoints();
        return bus;
    }

    /// <summary>A queue of this instance's own for finished responses and stream events, gone when it stops.</summary>
    public static void ConfigureApiEndpoints(this IRabbitMqBusFactoryConfigurator rabbit, IBusRegistrationContext context) =>
        rabbit.ReceiveEndpoint(new TemporaryEndpointDefinition("berth-api"), e =>
        {
            e.ConfigureConsumer<ResponseFinishedConsumer>(context);
            e.ConfigureConsumer<ResponseEventsAppendedConsumer>(context);
        });
}
