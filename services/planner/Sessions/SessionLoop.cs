using Berth.Contracts;
using Berth.Planner.Responses;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Sessions;

/// <summary>
/// What the session saga does at each step. Every write to the response store is idempotent
/// (item ids come from call ids and steps), because the saga's message may be redelivered
/// after the store was written but before the saga was saved.
/// </summary>
public sealed partial class SessionLoop(IResponseStore store, IOptions<PlannerOptions> options, ILogger<SessionLoop> logger)
{
    public async Task QueueResponse(BehaviorContext<SessionState, ResponseQueued> context)
    {
        var session = context.Saga;
        var responseId = context.Message.ResponseId;
        if (session.ActiveResponseId == responseId || session.WaitingResponseIds.Contains(responseId))
        {
            return;
        }

        if (session.ActiveResponseId is null)
        {
            await Start(context, responseId);
        }
        else
        {
            session.WaitingResponseIds.Add(responseId);
        }
    }

    public async Task ApplyModelTurn(BehaviorContext<SessionState, ModelResponded> context)
    {
        var session = context.Saga;
        var turn = context.Message;
        var responseId = turn.ResponseId;
        var token = context.CancellationToken;

        await store.RecordUsageAsync(responseId, turn.Step, turn.Usage, token);

        if (!string.IsNullOrEmpty(turn.Text) || turn.ShellCalls.Count == 0)
        {
            var message = new ResponseItem { Id = Ids.Stable("msg", responseId, turn.Step.ToString(System.Globalization.CultureInfo.InvariantCulture)), Type = ResponseItem.Message, Text = turn.Text ?? "" };
            await store.AppendItemAsync(responseId, message, token);
        }

        if (turn.ShellCalls.Count == 0)
        {
            await Finish(context, ResponseStatus.Completed);
            return;
        }

        var budget = session.MaxToolCalls is { } max ? Math.Max(0, max - session.ToolCalls) : int.MaxValue;
        var allowed = turn.ShellCalls.Take(budget).ToList();
        if (allowed.Count == 0)
        {
            await Finish(context, ResponseStatus.Incomplete, incompleteReason: "max_tool_calls");
            return;
        }

        foreach (var call in allowed)
        {
            var item = new ResponseItem
            {
                Id = ShellCallItemId(call.CallId),
                Type = ResponseItem.ShellCall,
                Status = ItemStatus.InProgress,
                CallId = call.CallId,
                Commands = call.Commands,
                TimeoutMs = call.TimeoutMs,
                MaxOutputLength = call.MaxOutputLength,
            };
            await store.AppendItemAsync(responseId, item, token);
        }

        session.ToolCalls += allowed.Count;
        session.PendingCalls = allowed;
        await SendRunningCall(context);
    }

    public async Task ApplyToolResult(BehaviorContext<SessionState, ToolCallCompleted> context)
    {
        var session = context.Saga;
        var result = context.Message;
        var token = context.CancellationToken;

        var output = new ResponseItem
        {
            Id = Ids.Stable("sho", result.CallId),
            Type = ResponseItem.ShellCallOutput,
            CallId = result.CallId,
            MaxOutputLength = result.MaxOutputLength,
            Outputs = OutputLimits.CapForStorage(result.Outputs, options.Value.MaxStoredOutputChars),
        };
        await store.SetItemStatusAsync(result.ResponseId, ShellCallItemId(result.CallId), ItemStatus.Completed, token);
        await store.AppendItemAsync(result.ResponseId, output, token);

        session.ExecutorId = result.ExecutorId;
        session.ContainerId = result.ContainerId ?? session.ContainerId;
        session.PendingCalls.RemoveAt(0);

        if (result.Error is not null)
        {
            LogSandboxError(result.SessionId, result.CallId, result.ExecutorId, result.Error);
            await Finish(context, ResponseStatus.Failed, new ResponseError("sandbox_error", result.Error));
            return;
        }

        if (session.PendingCalls.Count > 0)
        {
            await SendRunningCall(context);
        }
        else
        {
            await CallModel(context);
        }
    }

    public Task FailActiveResponse(BehaviorContext<SessionState> context, ResponseError error) =>
        Finish(context, ResponseStatus.Failed, error);

    private async Task Start(BehaviorContext<SessionState> context, string responseId)
    {
        var session = context.Saga;
        var response = await store.FindAsync(responseId, context.CancellationToken);
        if (response is null)
        {
            // The intake stores before it queues, so this is a store that lost data: say so, and go on.
            LogMissingResponse(session.CorrelationId, responseId);
            await StartNextWaiting(context);
            return;
        }

        session.ActiveResponseId = responseId;
        session.ModelCalls = 0;
        session.ToolCalls = 0;
        session.MaxToolCalls = response.Snapshot.MaxToolCalls;
        session.PendingCalls = [];

        await store.SetStatusAsync(responseId, ResponseStatus.InProgress, context.CancellationToken);
        await CallModel(context);
    }

    private async Task CallModel(BehaviorContext<SessionState> context)
    {
        var session = context.Saga;
        if (session.ModelCalls >= options.Value.MaxModelCalls)
        {
            await Finish(context, ResponseStatus.Incomplete, incompleteReason: "max_model_calls");
            return;
        }

        session.ModelCalls++;
        await context.Send(Endpoints.Model, new CallModel
        {
            SessionId = session.CorrelationId,
            ResponseId = session.ActiveResponseId!,
            Step = session.ModelCalls,
        });
    }

    private static Task SendRunningCall(BehaviorContext<SessionState> context)
    {
        var session = context.Saga;
        var call = session.PendingCalls[0];

        // The first call of a session goes to any executor; the one that creates the container
        // keeps the session, and every later call goes to it.
        var executor = session.ExecutorId is null ? Endpoints.Executors : Endpoints.Executor(session.ExecutorId);
        return context.Send(executor, new ToolCallRequested
        {
            SessionId = session.CorrelationId,
            ResponseId = session.ActiveResponseId!,
            CallId = call.CallId,
            Commands = call.Commands,
            TimeoutMs = call.TimeoutMs,
            MaxOutputLength = call.MaxOutputLength,
        });
    }

    private async Task Finish(BehaviorContext<SessionState> context, string status, ResponseError? error = null, string? incompleteReason = null)
    {
        var session = context.Saga;
        var responseId = session.ActiveResponseId!;

        await store.FinishAsync(responseId, new ResponseOutcome(status, DateTimeOffset.UtcNow, error, incompleteReason), context.CancellationToken);

        await context.Publish(new ResponseFinished { SessionId = session.CorrelationId, ResponseId = responseId, Status = status });

        session.ActiveResponseId = null;
        session.PendingCalls = [];
        await StartNextWaiting(context);
    }

    private async Task StartNextWaiting(BehaviorContext<SessionState> context)
    {
        var session = context.Saga;
        if (session.WaitingResponseIds.Count == 0)
        {
            return;
        }

        var next = session.WaitingResponseIds[0];
        session.WaitingResponseIds.RemoveAt(0);
        await Start(context, next);
    }

    private static string ShellCallItemId(string callId) => Ids.Stable("sh", callId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: call {CallId} could not run on executor {ExecutorId}: {Error}")]
    private partial void LogSandboxError(Guid sessionId, string callId, string executorId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId}: response {ResponseId} was queued but is not in the store; skipped")]
    private partial void LogMissingResponse(Guid sessionId, string responseId);
}
