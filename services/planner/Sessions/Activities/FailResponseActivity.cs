using Berth.Contracts;
using Berth.Planner.Responses;
using MassTransit;

namespace Berth.Planner.Sessions.Activities;

/// <summary>Ends a response failed (past its deadline, or a step that broke), as a cancel does, with the error.</summary>
internal sealed class FailResponseActivity(ResponseLifecycle lifecycle, AnnouncementBatch announcements) : SessionActivity<FailResponse>(announcements)
{
    protected override Task RunAsync(BehaviorContext<SessionState, FailResponse> context) =>
        lifecycle.EndAsync(context, context.Message.ResponseId, ResponseStatuses.Failed, new ResponseError(context.Message.Code, context.Message.Message));
}
