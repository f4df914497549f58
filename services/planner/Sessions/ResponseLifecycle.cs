using Berth.Contracts;
using Berth.Planner.Responses;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Sessions;

/// <summary>
/// A session's responses from start to end: queued one after another, started, handed to the
/// model step by step, and ended. Every write to the response store is idempotent (item ids
/// come from call ids and steps), because a session's message may be redelivered after the
/// store was written but before the saga was saved. One per session message (scoped).
/// </summary>
public sealed partial class ResponseLifecycle(
    IResponseStore store,
    ResponseEvents events,
    ResponseEnding ending,
    AnnouncementBatch announcements,
    TimeProvider time,
    IOptions<PlannerOptions> options,
    ILogger<ResponseLifecycle> logger)
{
    /// <summary>Starts the response if the session is free; otherwise it waits its turn.</summary>
    public async Task QueueAsync(BehaviorContext<SessionState> context, ResponseQueued queued)
    {
        var session = context.Saga;
        var responseId = queued.ResponseId;
        if (session.ActiveResponseId == responseId || session.WaitingResponseIds.Contains(responseId))
        {
            return;
        }

        // A container made by POST /v1/containers exists before the session's first call.
        if (session.ExecutorId is null && queued.ExecutorId is not null)
        {
            session.ExecutorId = queued.ExecutorId;
            session.ContainerId = queued.ContainerId;
        }

        if (session.ActiveResponseId is null)
        {
            await StartAsync(context, responseId);
        }
        else
        {
            session.WaitingResponseIds.Add(responseId);
        }
    }

    /// <summary>
    /// Asks the model for the response's next step, or ends it <c>incomplete</c> at the model call
    /// limit. The question goes out with the step's other messages once the session is saved.
    /// </summary>
    public async Task AskModelAsync(BehaviorContext<SessionState> context)
    {
        var session = context.Saga;
        if (session.ModelCalls >= options.Value.MaxModelCalls)
        {
            await FinishAsync(context, ResponseStatuses.Incomplete, incompleteReason: "max_model_calls");
            return;
        }

        session.ModelCalls++;
        await context.Send(Endpoints.ModelCalls, new AskModel
        {
            SessionId = session.CorrelationId,
            ResponseId = session.ActiveResponseId!,
            Step = session.ModelCalls,
        });
    }

    /// <summary>
    /// Ends a response by request (a cancel, a failure): the running one, killing its running
    /// command (the container stays for the chain); a waiting one is taken off the queue. A
    /// finished response is left as it is.
    /// </summary>
    public async Task EndAsync(BehaviorContext<SessionState> context, string responseId, string status, ResponseError? error = null)
    {
        var session = context.Saga;
        if (session.ActiveResponseId == responseId)
        {
            if (session.PendingCalls.Count > 0)
            {
                await context.Publish(new ToolCallCancelled { SessionId = session.CorrelationId, CallId = session.PendingCalls[0].CallId });
            }

            await FinishAsync(context, status, error);
            return;
        }

        // A waiting response leaves the queue; one the session does not know (its queuing broke
        // before the session took it) is ended all the same, unless it has finished.
        session.WaitingResponseIds.Remove(responseId);
        var response = await store.FindAsync(responseId, context.CancellationToken);
        if (response is { IsFinished: false } && response.Snapshot.SessionId == session.CorrelationId)
        {
            await ending.EndAsync(context, announcements, session.CorrelationId, responseId, status, error, null, context.CancellationToken);
        }
    }

    /// <summary>Ends the active response, then starts the next one waiting, if any.</summary>
    public async Task FinishAsync(BehaviorContext<SessionState> context, string status, ResponseError? error = null, string? incompleteReason = null)
    {
        var session = context.Saga;
        await ending.EndAsync(context, announcements, session.CorrelationId, session.ActiveResponseId!, status, error, incompleteReason, context.CancellationToken);

        session.ActiveResponseId = null;
        session.PendingCalls = [];
        session.EndsWithFunctionCalls = false;
        session.DeadlineAt = null;
        session.CallSentAt = null;
        await StartNextWaitingAsync(context);
    }

    private async Task StartAsync(BehaviorContext<SessionState> context, string responseId)
    {
        var session = context.Saga;
        var response = await store.FindAsync(responseId, context.CancellationToken);
        if (response is null)
        {
            // The intake stores before it queues, so this is a store that lost data: say so, and go on.
            LogMissingResponse(session.CorrelationId, responseId);
            await StartNextWaitingAsync(context);
            return;
        }

        if (response.IsFinished)
        {
            // Cancelled or failed while it waited, by a path that did not need the session.
            await StartNextWaitingAsync(context);
            return;
        }

        session.ActiveResponseId = responseId;
        session.DeadlineAt = (time.GetUtcNow() + TimeSpan.FromMinutes(options.Value.ResponseDeadlineMinutes)).UtcDateTime;
        session.ModelCalls = 0;
        session.ToolCalls = 0;
        session.MaxToolCalls = response.Snapshot.MaxToolCalls;
        if (session.ContainerId is null)
        {
            session.NetworkPolicy = response.Snapshot.Shell?.NetworkPolicy;
            session.MemoryMb = response.Snapshot.Shell?.MemoryMb;
        }
        session.PendingCalls = [];

        await store.SetStatusAsync(responseId, ResponseStatuses.InProgress, context.CancellationToken);
        await events.StoreAsync(announcements, responseId, [ResponseEvents.Lifecycle(ResponseEvents.InProgress, ResponseStatuses.InProgress)], context.CancellationToken);
        await AskModelAsync(context);
    }

    private async Task StartNextWaitingAsync(BehaviorContext<SessionState> context)
    {
        var session = context.Saga;
        if (session.WaitingResponseIds.Count == 0)
        {
            return;
        }

        var next = session.WaitingResponseIds[0];
        session.WaitingResponseIds.RemoveAt(0);
        await StartAsync(context, next);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId}: response {ResponseId} was queued but is not in the store; skipped")]
    private partial void LogMissingResponse(Guid sessionId, string responseId);
}
