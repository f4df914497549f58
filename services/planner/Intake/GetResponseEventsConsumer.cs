using Berth.Contracts;
using Berth.Planner.Responses;
using Berth.Planner.Tenants;
using MassTransit;

namespace Berth.Planner.Intake;

/// <summary>Answers a stream's reads from the stored events, so any api instance can serve or resume any stream.</summary>
public sealed class GetResponseEventsConsumer(IResponseStore store) : IConsumer<GetResponseEvents>
{
    private const int MaxLimit = 1000;

    public async Task Consume(ConsumeContext<GetResponseEvents> context)
    {
        var request = context.Message;
        var owner = await store.FindTenantAsync(request.ResponseId, context.CancellationToken);
        if (owner is null || !Tenancy.Owns(owner, request.Tenant))
        {
            await context.RespondAsync(new ResponseNotFound(request.ResponseId));
            return;
        }

        var events = await store.ReadEventsAsync(request.ResponseId, request.After, Math.Clamp(request.Limit, 1, MaxLimit), context.CancellationToken);
        if (events is null)
        {
            await context.RespondAsync(new ResponseNotFound(request.ResponseId));
        }
        else
        {
            await context.RespondAsync(new ResponseEventList { ResponseId = request.ResponseId, Events = events });
        }
    }
}
