using Berth.Contracts;
using Berth.Planner.Responses;
using MassTransit;

namespace Berth.Planner.Sessions.Activities;

/// <summary>A response was submitted for this session: it starts now if the session is free, else waits its turn.</summary>
internal sealed class QueueResponseActivity(ResponseLifecycle lifecycle, AnnouncementBatch announcements) : SessionActivity<ResponseQueued>(announcements)
{
    protected override Task RunAsync(BehaviorContext<SessionState, ResponseQueued> context) => lifecycle.QueueAsync(context, context.Message);
}
