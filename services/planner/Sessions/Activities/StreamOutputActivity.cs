using Berth.Contracts;
using Berth.Planner.Responses;
using MassTransit;

namespace Berth.Planner.Sessions.Activities;

/// <summary>A chunk of the running call's output, passed on to the response's stream.</summary>
internal sealed class StreamOutputActivity(ShellCallSteps calls, AnnouncementBatch announcements) : SessionActivity<ToolCallOutputProduced>(announcements)
{
    protected override Task RunAsync(BehaviorContext<SessionState, ToolCallOutputProduced> context) => calls.StreamChunkAsync(context, context.Message);
}
