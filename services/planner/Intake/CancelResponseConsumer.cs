using Berth.Contracts;
using Berth.Planner.Responses;
using Berth.Planner.Tenants;
using MassTransit;

namespace Berth.Planner.Intake;

/// <summary>
/// Asks the response's session to cancel it, then answers with the response once it has ended,
/// or as it stands if that takes longer than a moment. A finished response is returned unchanged.
/// </summary>
public sealed class CancelResponseConsumer(IResponseStore store, TimeProvider time) : IConsumer<CancelResponse>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
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
            await context.Publish(new ResponseCancelRequested { SessionId = response.Snapshot.SessionId, ResponseId = response.Id });
            var deadline = time.GetUtcNow() + Wait;
            while (!response.IsFinished && time.GetUtcNow() < deadline)
            {
                await Task.Delay(Poll, time, context.CancellationToken);
                response = await store.FindAsync(response.Id, context.CancellationToken) ?? response;
            }
        }

        await context.RespondAsync(response.Snapshot);
    }
}
