using Berth.Contracts;
using Berth.Planner.Responses;
using Berth.Planner.Tenants;
using Berth.ServiceDefaults.Payloads;
using MassTransit;

namespace Berth.Planner.Intake;

/// <summary>Answers a stream's reads from the stored events, so any api instance can serve or resume any stream.</summary>
internal sealed class GetResponseEventsConsumer(IResponseStore store, PayloadStore payloads) : IConsumer<GetResponseEvents>
{
    private const int MaxLimit = 1000;

    // A page stops at this much text (after one event at least), so neither a reply nor the
    // memory that builds it grows with the output of a long run.
    private const long MaxPageChars = 4_000_000;

    public async Task Consume(ConsumeContext<GetResponseEvents> context)
    {
        var request = context.Message;
        var owner = await store.FindOwnerAsync(request.ResponseId, context.CancellationToken);
        if (owner is null || !Tenancy.Owns(owner.Tenant, request.Tenant) || (!owner.Stored && !request.IncludeUnstored))
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
            var page = WithinBudget(events);
            await context.RespondAsync(await payloads.OffloadEventsAsync(
                new ResponseEventList { ResponseId = request.ResponseId, Events = page, HasMore = page.Count < events.Count }, context.CancellationToken));
        }
    }

    private static IReadOnlyList<ResponseStreamEvent> WithinBudget(IReadOnlyList<ResponseStreamEvent> events)
    {
        var chars = 0L;
        var count = 0;
        for (; count < events.Count; count++)
        {
            chars += OutputLimits.TextChars(events[count]);
            if (count > 0 && chars > MaxPageChars)
            {
                break;
            }
        }

        return count == events.Count ? events : [.. events.Take(count)];
    }
}
