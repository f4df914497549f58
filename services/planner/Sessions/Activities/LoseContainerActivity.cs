using Berth.Contracts;
using Berth.Planner.Responses;
using MassTransit;

namespace Berth.Planner.Sessions.Activities;

/// <summary>
/// The executor holding this session's container is gone. A call it was running ends with an
/// error output and the response fails; any later call of the session fails at once.
/// </summary>
internal sealed class LoseContainerActivity(ShellCallSteps calls, ResponseLifecycle lifecycle, AnnouncementBatch announcements) : SessionActivity<ExecutorLost>(announcements)
{
    protected override async Task RunAsync(BehaviorContext<SessionState, ExecutorLost> context)
    {
        var session = context.Saga;
        session.ContainerLostCode = ErrorCodes.ContainerLost;
        if (session.ActiveResponseId is null || session.PendingCalls.Count == 0)
        {
            return;
        }

        var message = $"The executor '{context.Message.ExecutorId}' holding this session's container stopped responding while the command ran; the container and its files are lost.";
        await lifecycle.FinishAsync(context, ResponseStatuses.Failed, await calls.FailRunningCallAsync(context, ErrorCodes.ContainerLost, message));
    }
}
