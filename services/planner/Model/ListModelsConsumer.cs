using System.ClientModel;
using Berth.Contracts;
using Berth.Planner.Tenants;
using Berth.ServiceDefaults.Models;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Model;

/// <summary>
/// <c>GET /v1/models</c>, answered where the keys are: the catalog's entries the tenant may use,
/// or without a catalog what the configured endpoint lists, as it lists them.
/// </summary>
internal sealed partial class ListModelsConsumer(IOptions<ModelCatalog> catalog, ChatModels models, ILogger<ListModelsConsumer> logger) : IConsumer<ListModels>
{
    public async Task Consume(ConsumeContext<ListModels> context)
    {
        if (!catalog.Value.IsEmpty)
        {
            await context.RespondAsync(new ModelList([.. catalog.Value.VisibleTo(Tenancy.Of(context.Message.Tenant)).Select(m => new ModelInfo(m.Id, 0, "berth"))]));
            return;
        }

        try
        {
            var upstream = await models.UpstreamModels().GetModelsAsync(context.CancellationToken);
            await context.RespondAsync(new ModelList([.. upstream.Value.Select(m => new ModelInfo(m.Id, m.CreatedAt.ToUnixTimeSeconds(), m.OwnedBy ?? ""))]));
        }
        catch (Exception e) when (e is ClientResultException or HttpRequestException or TaskCanceledException or AggregateException && !context.CancellationToken.IsCancellationRequested)
        {
            LogUpstreamFailed(e.Message);
            await context.RespondAsync(new ModelList([]) { Unavailable = "The model endpoint did not list its models; see the planner's log." });
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The model endpoint's model list could not be read: {Reason}")]
    private partial void LogUpstreamFailed(string reason);
}
