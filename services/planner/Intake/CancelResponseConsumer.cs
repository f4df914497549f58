using Berth.Contracts;
using Berth.Planner.Responses;
using Berth.Planner.Tenants;
using Berth.ServiceDefaults.Payloads;
using MassTransit;

namespace Berth.Planner.Intake;

/// <summary>
/// Asks the response's session to cancel it, and answers at once with the response as it
/// stands: the api waits for it to finish, on the notification every api hears, so no slot of
/// this shared endpoint is held meanwhile. Asked again with <see cref="CancelResponse.EndNow"/>
/// (the session did not end it within the few seconds a cancel promises: every step slot busy,
/// or its saga stuck), it ends the response <c>cancelled</c> here, in the store, and the
/// session, once it gets to the cancel, finds it ended. A finished response is returned unchanged.
/// </summary>
internal sealed class CancelResponseConsumer(IResponseStore store, ResponseEnding ending, PayloadStore payloads) : IConsumer<CancelResponse>
{
    public async Task Consume(ConsumeContext<CancelResponse> context)
    {
        var response = await store.FindAsync(context.Message.ResponseId, context.CancellationToken);
        if (response is null || !Tenancy.Owns(response.Snapshot.Tenant, context.Message.Tenant))
        {
            await context.RespondAsync(new ResponseNotFound(context.Message.ResponseId));
            return;
        }

        if (!response.IsFinished && context.Message.EndNow)
        {
            await ending.EndNowAsync(context, response.Snapshot.SessionId, response.Id, ResponseStatuses.Cancelled, null, context.CancellationToken);
            response = await store.FindAsync(response.Id, context.CancellationToken) ?? response;
        }
        else if (!response.IsFinished)
        {
            await context.Publish(new ResponseCancelRequested { SessionId = response.Snapshot.SessionId, ResponseId = response.Id });
        }

        await context.RespondAsync(await payloads.OffloadOutputAsync(response.Snapshot, context.CancellationToken));
    }
}
