using System.Globalization;
using Berth.Contracts;
using Berth.Planner.Responses;
using Berth.ServiceDefaults;
using Berth.ServiceDefaults.Payloads;
using MassTransit;

namespace Berth.Planner.Sessions.Activities;

/// <summary>
/// The model answered the session's current step: its text is stored as a message, its calls to
/// the client's functions as <c>function_call</c> items, and its shell calls start running (as
/// many as <c>max_tool_calls</c> leaves, up to the first that waits for approval). With no shell calls, the response is done; with function
/// calls, it is done once its shell calls have run, and the client answers them.
/// </summary>
internal sealed class ApplyModelAnswerActivity(
    IResponseStore store,
    ResponseEvents events,
    ResponseLifecycle lifecycle,
    PayloadStore payloads,
    AnnouncementBatch announcements) : SessionActivity<ModelAnswered>(announcements)
{
    protected override async Task RunAsync(BehaviorContext<SessionState, ModelAnswered> context)
    {
        var session = context.Saga;
        var responseId = session.ActiveResponseId!;
        var step = session.ModelCalls;
        var token = context.CancellationToken;
        var turn = context.Message.Turn
            ?? await payloads.ReadJsonAsync(context.Message.TurnAddress!, PayloadJson.Default.ModelTurn, token);

        if (turn.Error is { } error)
        {
            await lifecycle.FinishAsync(context, ResponseStatuses.Failed, error);
            return;
        }

        await store.RecordUsageAsync(responseId, step, turn.Usage, token);

        // Stored before the step's own items: the next model call reads the conversation with it.
        if (turn.Compaction is { } compaction)
        {
            var at = await store.AppendItemAsync(responseId, compaction, token);
            await events.StoreAsync(Announcements, responseId, [ResponseEvents.Added(at, compaction), ResponseEvents.Done(at, compaction)], token);
        }

        if (!string.IsNullOrEmpty(turn.Text) || turn.ShellCalls.Count + turn.FunctionCalls.Count == 0)
        {
            var message = new ResponseItem { Id = Ids.Stable("msg", responseId, step.ToString(CultureInfo.InvariantCulture)), Type = ResponseItem.Message, Text = turn.Text ?? "" };
            var index = await store.AppendItemAsync(responseId, message, token);

            // Streamed text is in the events already, from its item's start to its last delta.
            await events.StoreAsync(Announcements, responseId,
                turn.TextStreamed ? ResponseEvents.MessageDone(index, message) : ResponseEvents.Message(index, message), token);
        }

        foreach (var function in turn.FunctionCalls)
        {
            var call = new ResponseItem
            {
                Id = Ids.Stable("fc", responseId, function.CallId),
                Type = ResponseItem.FunctionCall,
                CallId = function.CallId,
                Name = function.Name,
                Arguments = function.Arguments,
            };
            var at = await store.AppendItemAsync(responseId, call, token);
            await events.StoreAsync(Announcements, responseId, ResponseEvents.FunctionCall(at, call), token);
        }

        session.EndsWithFunctionCalls = turn.FunctionCalls.Count > 0;
        if (turn.ShellCalls.Count == 0)
        {
            await lifecycle.FinishAsync(context, ResponseStatuses.Completed);
            return;
        }

        var budget = session.MaxToolCalls is { } max ? Math.Max(0, max - session.ToolCalls) : int.MaxValue;
        var allowed = turn.ShellCalls.Take(budget).ToList();
        if (allowed.Count == 0)
        {
            await lifecycle.FinishAsync(context, ResponseStatuses.Incomplete, incompleteReason: IncompleteReasons.MaxToolCalls);
            return;
        }

        await lifecycle.RunCallsAsync(context, allowed);
    }
}
