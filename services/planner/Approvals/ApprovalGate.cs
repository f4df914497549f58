using Berth.Contracts;
using Berth.Planner.Responses;
using Berth.Planner.Sessions;
using MassTransit;

namespace Berth.Planner.Approvals;

/// <summary>
/// Where a turn's shell calls stop for a person: how many may run before the first that needs
/// approval, the <c>shell_approval_request</c> a paused response ends with, and the trace of a
/// call that was declined. One per session message (scoped).
/// </summary>
internal sealed class ApprovalGate(ApprovalRules rules, IResponseStore store, ResponseEvents events, AnnouncementBatch announcements)
{
    /// <summary>A request's id, from its call's: a redelivered step stores the same request again, and finds it there.</summary>
    public static string RequestId(string callId) => Ids.Stable("sar", callId);

    /// <summary>How many of <paramref name="calls"/>, from the first, may run now; the first is approved already when <paramref name="firstApproved"/>.</summary>
    public int Runnable(SessionState session, IReadOnlyList<ShellCallSpec> calls, bool firstApproved)
    {
        var count = firstApproved && calls.Count > 0 ? 1 : 0;
        while (count < calls.Count && !rules.Needs(calls[count], session.RequireApproval, session.ApprovalPatterns))
        {
            count++;
        }

        return count;
    }

    /// <summary>Stores the call as the active response's <c>shell_approval_request</c>, its last item, with its stream events.</summary>
    public async Task AskAsync(BehaviorContext<SessionState> context, ShellCallSpec call)
    {
        var responseId = context.Saga.ActiveResponseId!;
        var request = new ResponseItem
        {
            Id = RequestId(call.CallId),
            Type = ResponseItem.ShellApprovalRequest,
            CallId = call.CallId,
            Commands = call.Commands,
            TimeoutMs = call.TimeoutMs,
            MaxOutputLength = call.MaxOutputLength,
        };
        var index = await store.AppendItemAsync(responseId, request, context.CancellationToken);
        await events.StoreAsync(announcements, responseId, [ResponseEvents.Added(index, request), ResponseEvents.Done(index, request)], context.CancellationToken);
        PlannerTelemetry.ApprovalRequested(request.Id, call.CallId);
    }

    /// <summary>A declined call never runs, so no executor traces it: its span is written here, with the decision.</summary>
    public static void Declined(SessionState session, ShellCallSpec call, ApprovalDecision decision) =>
        PlannerTelemetry.CallDeclined(call.CallId, session.ActiveResponseId!, session.CorrelationId, decision);
}
