using Berth.Contracts;
using Berth.Planner.Containers;
using Berth.Planner.Responses;
using MassTransit;

namespace Berth.Planner.Sessions.Activities;

/// <summary>
/// The running call completed: its output is stored, and the response goes on
/// (<see cref="ResponseLifecycle.GoOnAsync"/>). A call the sandbox could not run fails the response.
/// </summary>
internal sealed partial class ApplyToolResultActivity(
    ResponseLifecycle lifecycle,
    ShellCallSteps calls,
    SessionContainers containers,
    TimeProvider time,
    AnnouncementBatch announcements,
    ILogger<ApplyToolResultActivity> logger) : SessionActivity<ToolCallCompleted>(announcements)
{
    protected override async Task RunAsync(BehaviorContext<SessionState, ToolCallCompleted> context)
    {
        var session = context.Saga;
        var result = context.Message;

        foreach (var chunk in result.HeldChunks)
        {
            await calls.StreamChunkAsync(context, chunk);
        }

        await calls.RecordOutputAsync(context, result.CallId, result.MaxOutputLength, result.Outputs);
        if (session.ContainerId is null && result.ContainerId is not null)
        {
            await containers.RecordAsync(session, result, time.GetUtcNow(), context.CancellationToken);
            if (session.RestoredFrom is { } snapshotId)
            {
                // The trace says where the files came from: on the step's span, which continues the call's trace.
                System.Diagnostics.Activity.Current?.AddEvent(new("berth.container.restored", tags: new() { ["berth.snapshot.id"] = snapshotId }));
            }

            session.RestoreFrom = null;
            session.RestoreSkillsFrom = null;
            session.RestoredFrom = null;
        }

        session.ExecutorId = result.ExecutorId;
        session.ContainerId = result.ContainerId ?? session.ContainerId;
        session.PendingCalls.RemoveAt(0);

        if (result.Error is not null)
        {
            var code = result.ErrorCode ?? ErrorCodes.SandboxError;
            LogSandboxError(result.SessionId, result.CallId, result.ExecutorId, result.Error);
            if (code is ErrorCodes.ContainerExpired or ErrorCodes.ContainerLost)
            {
                session.ContainerLostCode = code;
            }

            await lifecycle.FinishAsync(context, ResponseStatuses.Failed, new ResponseError(code, result.Error));
            return;
        }

        await lifecycle.GoOnAsync(context);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: call {CallId} could not run on executor {ExecutorId}: {Error}")]
    private partial void LogSandboxError(Guid sessionId, string callId, string executorId, string error);
}
