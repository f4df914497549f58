using Berth.Contracts;
using Berth.Planner.Responses;
using Berth.Planner.Tenants;
using Berth.ServiceDefaults.Payloads;
using MassTransit;

namespace Berth.Planner.Intake;

/// <summary>Answers the api's reads: the planner owns the responses, the api only renders them. A large output goes through the payload store.</summary>
internal sealed class GetResponseConsumer(IResponseStore store, PayloadStore payloads) : IConsumer<GetResponse>
{
    public async Task Consume(ConsumeContext<GetResponse> context)
    {
        var response = await store.FindAsync(context.Message.ResponseId, context.CancellationToken);
        if (response is null || !Tenancy.Owns(response.Snapshot.Tenant, context.Message.Tenant) || (!response.Snapshot.Store && !context.Message.IncludeUnstored))
        {
            await context.RespondAsync(new ResponseNotFound(context.Message.ResponseId));
        }
        else
        {
            await context.RespondAsync(await payloads.OffloadOutputAsync(response.Snapshot, context.CancellationToken));
        }
    }
}
