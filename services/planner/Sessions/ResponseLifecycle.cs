using Berth.Contracts;
using Berth.Planner.Approvals;
using Berth.Planner.Responses;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Sessions;

/// <summary>
/// A session's responses from start to end: queued one after another (or in place of the one
/// running, when it is interrupted), started, taken step by step (the model asked, its shell calls
/// run, the response paused where a call waits for approval), and ended. Every write to the response store is idempotent (item ids
/// come from call ids and steps), because a session's message may be redelivered after the
/// store was written but before the saga was saved. One per session message (scoped).
/// </summary>
internal sealed partial class ResponseLifecycle(
    IResponseStore store,
    ResponseEvents events,
    ResponseEnding ending,
    ShellCallSteps calls,
    ApprovalGate approvals,
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
        else if (queued.Interrupts is { } interrupted && session.ActiveResponseId == interrupted)
        {
            // It goes first, before the responses already waiting: ending the running one starts it.
            session.WaitingResponseIds.Insert(0, responseId);
            if (session.PendingCalls.Count == 0)
            {
                // A model call may be in flight on any planner: each drops it on hearing this.
                await context.Publish(new ResponseCancelRequested { SessionId = session.CorrelationId, ResponseId = interrupted });
            }

            await EndAsync(context, interrupted, ResponseStatuses.Cancelled);
        }
        else
        {
            session.WaitingResponseIds.Add(responseId);
        }
    }

    /// <summary>The model's turn called these shell calls: they run in order, up to the first that waits for approval.</summary>
    public Task RunCallsAsync(BehaviorContext<SessionState> context, IReadOnlyList<ShellCallSpec> turn)
    {
        context.Saga.HeldCalls = [.. turn];
        return GoOnAsync(context);
    }

    /// <summary>
    /// After a step: the turn's next call runs; or the calls held from the first that waits for
    /// approval are released as far as the rules let them (the first, when
    /// <paramref name="answer"/> approves it, or dropped when it declines), and at one that waits
    /// the response pauses, ending <c>completed</c> with its request; or the turn is done, and the
    /// model is asked what comes next (the client, if it called the client's functions).
    /// </summary>
    public async Task GoOnAsync(BehaviorContext<SessionState> context, ApprovalDecision? answer = null)
    {
        var session = context.Saga;
        if (session.PendingCalls.Count > 0)
        {
            await FailIfUnsentAsync(context, await calls.DispatchRunningCallAsync(context));
            return;
        }

        if (answer is { Approve: false })
        {
            ApprovalGate.Declined(session, session.HeldCalls[0], answer);
            session.HeldCalls.RemoveAt(0);
        }

        if (session.HeldCalls.Count > 0)
        {
            var approved = answer is { Approve: true };
            var runnable = approvals.Runnable(session, session.HeldCalls, approved);
            if (runnable > 0)
            {
                var run = session.HeldCalls[..runnable];
                session.HeldCalls.RemoveRange(0, runnable);
                await FailIfUnsentAsync(context, await calls.RunAsync(context, run, approved ? answer : null));
                return;
            }

            await approvals.AskAsync(context, session.HeldCalls[0]);
            session.HeldResponseId = session.ActiveResponseId;
            await FinishAsync(context, ResponseStatuses.Completed);
            return;
        }

        if (session.EndsWithFunctionCalls)
        {
            // The client answers those; the model hears the shell's results with them, next response.
            await FinishAsync(context, ResponseStatuses.Completed);
        }
        else
        {
            await AskModelAsync(context);
        }
    }

    private async Task FailIfUnsentAsync(BehaviorContext<SessionState> context, ResponseError? unsent)
    {
        if (unsent is not null)
        {
            await FinishAsync(context, ResponseStatuses.Failed, unsent);
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
            await FinishAsync(context, ResponseStatuses.Incomplete, incompleteReason: IncompleteReasons.MaxModelCalls);
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

    /// <summary>
    /// Ends the active response, then starts the next one waiting, if any. Calls held for approval
    /// stay only when the response paused for them; otherwise they are dropped with it.
    /// </summary>
    public async Task FinishAsync(BehaviorContext<SessionState> context, string status, ResponseError? error = null, string? incompleteReason = null)
    {
        var session = context.Saga;
        await ending.EndAsync(context, announcements, session.CorrelationId, session.ActiveResponseId!, status, error, incompleteReason, context.CancellationToken);

        if (session.HeldResponseId != session.ActiveResponseId)
        {
            DropHeldCalls(session);
        }

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
            session.Image = response.Snapshot.Shell?.Image;
            session.RestoredFrom ??= response.Snapshot.Shell?.RestoredFrom;
        }
        session.PendingCalls = [];
        session.RequireApproval = response.Snapshot.Shell?.RequireApproval;
        session.ApprovalPatterns = [.. response.Snapshot.Shell?.ApprovalPatterns ?? []];

        await store.SetStatusAsync(responseId, ResponseStatuses.InProgress, context.CancellationToken);
        await events.StoreAsync(announcements, responseId, [ResponseEvents.Lifecycle(StreamEventTypes.InProgress, ResponseStatuses.InProgress)], context.CancellationToken);

        // The intake let through only an answer to the request its previous response paused for;
        // the calls held for it are gone if another response of the session ran in between.
        var answer = response.Input.Select(i => i.Approval).OfType<ApprovalDecision>().FirstOrDefault();
        var waiting = session.HeldCalls.Count > 0 ? ApprovalGate.RequestId(session.HeldCalls[0].CallId) : null;
        if (answer is null)
        {
            DropHeldCalls(session);
            await AskModelAsync(context);
        }
        else if (answer.RequestId == waiting)
        {
            session.HeldResponseId = null;
            await GoOnAsync(context, answer);
        }
        else
        {
            await FinishAsync(context, ResponseStatuses.Failed, new ResponseError(ErrorCodes.ApprovalNotPending,
                $"Approval request '{answer.RequestId}' no longer waits: another response of this session started after it paused, and its held calls were dropped. Continue without answering it."));
        }
    }

    private static void DropHeldCalls(SessionState session)
    {
        session.HeldCalls = [];
        session.HeldResponseId = null;
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
