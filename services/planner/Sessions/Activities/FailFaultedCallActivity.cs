using Berth.Contracts;
using Berth.Planner.Responses;
using MassTransit;

namespace Berth.Planner.Sessions.Activities;

/// <summary>
/// The executor's consumer threw past its retries on the running call (MassTransit's fault): it
/// broke in a way it could not report, so the response fails instead of waiting.
/// </summary>
internal sealed class FailFaultedCallActivity(ResponseLifecycle lifecycle, AnnouncementBatch announcements) : SessionActivity<Fault<ToolCallRequested>>(announcements)
{
    protected override Task RunAsync(BehaviorContext<SessionState, Fault<ToolCallRequested>> context) =>
        lifecycle.FinishAsync(context, ResponseStatuses.Failed, new ResponseError(ErrorCodes.SandboxError,
            $"The executor failed while running the call: {context.Message.Exceptions.FirstOrDefault()?.Message ?? "no details"}"));
}
