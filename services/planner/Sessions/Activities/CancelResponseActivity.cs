using Berth.Contracts;
using Berth.Planner.Responses;
using MassTransit;

namespace Berth.Planner.Sessions.Activities;

/// <summary>
/// Stops a response: the running one ends <c>cancelled</c> (its running command is killed, a
/// model call in flight is stopped by <see cref="Model.ModelCallCanceller"/>); a waiting one is
/// taken off the queue and ended. A finished response is left as it is.
/// </summary>
internal sealed class CancelResponseActivity(ResponseLifecycle lifecycle, AnnouncementBatch announcements) : SessionActivity<ResponseCancelRequested>(announcements)
{
    protected override Task RunAsync(BehaviorContext<SessionState, ResponseCancelRequested> context) =>
        lifecycle.EndAsync(context, context.Message.ResponseId, ResponseStatuses.Cancelled);
}
