using Berth.Contracts;
using Berth.Planner.Responses;
using Berth.Planner.Tenants;
using MassTransit;

namespace Berth.Planner.Intake;

/// <summary>
/// Asks the response's session to cancel it, then answers with the response once it has ended.
/// A session that has not ended it within a few seconds (every step slot busy, or its saga
/// stuck) does not hold the client up: the response is ended <c>cancelled</c> here, in the store,
/// and the session, once it gets to the cancel, finds it ended. A finished response is returned
/// unchanged.
/// </summary>
public sealed class CancelResponseConsumer(IResponseStore store, ResponseEnding ending, TimeProvider time) : IConsumer<CancelResponse>
{
    /// <summary>Within the 5 s a cancel promises, with room for the round trips on either side.</summary>
    private static readonly TimeSpan SessionGrace = TimeSpan.FromSeconds(3.5);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public async Task Consume(ConsumeContext<CancelResponse> context)
    {
        var response = await store.FindAsync(context.Message.ResponseId, context.CancellationToken);
        if (response is null || !Tenancy.Owns(response.Snapshot.Tenant, context.Message.Tenant))
        {
            await context.RespondAsync(new ResponseNotFound(context.Message.ResponseId));
            return;
        }

        if (!response.IsFinished)
        {
            var sessionId = response.Snapshot.SessionId;
            await context.Publish(new ResponseCancelRequested { SessionId = sessionId, ResponseId = response.Id });
            var deadline = time.GetUtcNow() + SessionGrace;
            while (!response.IsFinished && time.GetUtcNow() < deadline)
            {
                await Task.Delay(Poll, time, context.CancellationToken);
                response = await store.FindAsync(response.Id, context.CancellationToken) ?? response;
            }

            if (!response.IsFinished)
            {
                await ending.EndNowAsync(context, sessionId, response.Id, ResponseStatuses.Cancelled, null, context.CancellationToken);
                response = await store.FindAsync(response.Id, context.CancellationToken) ?? response;
            }
        }

        await context.RespondAsync(response.Snapshot);
    }
}
