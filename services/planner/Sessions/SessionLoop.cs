using Berth.Contracts;
using Berth.Planner.Containers;
using Berth.Planner.Executors;
using Berth.Planner.Model;
using Berth.Planner.Responses;
using Berth.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Sessions;

/// <summary>
/// What the session saga does at each step. Every write to the response store is idempotent
/// (item ids come from call ids and steps), because the saga's message may be redelivered
/// after the store was written but before the saga was saved.
/// </summary>
public sealed partial class SessionLoop(
    IResponseStore store,
    ResponseEvents events,
    ResponseEnding ending,
    ModelTurns model,
    ExecutorRegistry executors,
    SessionContainers containers,
    IBus bus,
    TimeProvider time,
    IOptions<PlannerOptions> options,
    ILogger<SessionLoop> logger)
{
    /// <summary>
    /// A model that has not answered by then is one a person waits on: what the step stored
    /// before asking it (the last call's output, the response's start) is announced then,
    /// rather than with the rest of the step. One that answers sooner costs no extra message.
    /// </summary>
    private static readonly TimeSpan AnnounceWhileThinkingAfter = TimeSpan.FromMilliseconds(50);

    private readonly AnnouncementBatch _announcements = new();

    /// <summary>
    /// Runs one step of the loop, then announces the stream events it stored. The outbox sends
    /// everything once the session is saved.
    /// </summary>
    public async Task Step(BehaviorContext<SessionState> context, Func<SessionLoop, Task> step)
    {
        await step(this);
        await _announcements.AnnounceAsync(context, context.CancellationToken);
    }

    public async Task QueueResponse(BehaviorContext<SessionState, ResponseQueued> context)
    {
        var session = context.Saga;
        var responseId = context.Message.ResponseId;
        if (session.ActiveResponseId == responseId || session.WaitingResponseIds.Contains(responseId))
        {
            return;
        }

        // A container made by POST /v1/containers exists before the session's first call.
        if (session.ExecutorId is null && context.Message.ExecutorId is not null)
        {
            session.ExecutorId = context.Message.ExecutorId;
            session.ContainerId = context.Message.ContainerId;
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

    /// <summary>Applies what the model said at the session's current step: store it, then run its calls or finish.</summary>
    private async Task ApplyModelTurn(BehaviorContext<SessionState> context, ModelTurn turn)
    {
        var session = context.Saga;
        var responseId = session.ActiveResponseId!;
        var step = session.ModelCalls;
        var token = context.CancellationToken;

        if (turn.Error is { } error)
        {
            await Finish(context, ResponseStatuses.Failed, error);
            return;
        }

        await store.RecordUsageAsync(responseId, step, turn.Usage, token);

        if (!string.IsNullOrEmpty(turn.Text) || turn.ShellCalls.Count == 0)
        {
            var message = new ResponseItem { Id = Ids.Stable("msg", responseId, step.ToString(System.Globalization.CultureInfo.InvariantCulture)), Type = ResponseItem.Message, Text = turn.Text ?? "" };
            var index = await store.AppendItemAsync(responseId, message, token);
            await events.StoreAsync(_announcements, responseId, ResponseEvents.Message(index, message), token);
        }

        if (turn.ShellCalls.Count == 0)
        {
            await Finish(context, ResponseStatuses.Completed);
            return;
        }

        var budget = session.MaxToolCalls is { } max ? Math.Max(0, max - session.ToolCalls) : int.MaxValue;
        var allowed = turn.ShellCalls.Take(budget).ToList();
        if (allowed.Count == 0)
        {
            await Finish(context, ResponseStatuses.Incomplete, incompleteReason: "max_tool_calls");
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
            var index = await store.AppendItemAsync(responseId, item, token);
            await events.StoreAsync(_announcements, responseId, [ResponseEvents.Added(index, item)], token);
        }

        session.ToolCalls += allowed.Count;
        session.PendingCalls = allowed;
        await DispatchRunningCallAsync(context);
    }

    public async Task ApplyToolResult(BehaviorContext<SessionState, ToolCallCompleted> context)
    {
        var session = context.Saga;
        var result = context.Message;

        foreach (var chunk in result.HeldChunks)
        {
            await StreamChunkAsync(context, chunk);
        }

        await RecordOutputAsync(context, result.CallId, result.MaxOutputLength, result.Outputs);
        if (session.ContainerId is null && result.ContainerId is not null)
        {
            await containers.RecordAsync(session, result, time.GetUtcNow(), context.CancellationToken);
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

            await Finish(context, ResponseStatuses.Failed, new ResponseError(code, result.Error));
            return;
        }

        if (session.PendingCalls.Count > 0)
        {
            await DispatchRunningCallAsync(context);
        }
        else
        {
            await AskModel(context);
        }
    }

    /// <summary>
    /// The executor holding this session's container is gone. A call it was running ends with an
    /// error output and the response fails; any later call of the session fails at once.
    /// </summary>
    public async Task LoseContainer(BehaviorContext<SessionState, ExecutorLost> context)
    {
        var session = context.Saga;
        session.ContainerLostCode = ErrorCodes.ContainerLost;
        if (session.ActiveResponseId is null || session.PendingCalls.Count == 0)
        {
            return;
        }

        var message = $"The executor '{context.Message.ExecutorId}' holding this session's container stopped responding while the command ran; the container and its files are lost.";
        await FailRunningCallAsync(context, ErrorCodes.ContainerLost, message);
    }

    /// <summary>
    /// Stops a response: the running one ends <c>cancelled</c> and its running command is killed
    /// (the container stays for the chain); a waiting one is taken off the queue and ended. A
    /// finished response is left as it is.
    /// </summary>
    public Task Cancel(BehaviorContext<SessionState, ResponseCancelRequested> context) =>
        End(context, context.Message.ResponseId, ResponseStatuses.Cancelled);

    /// <summary>Ends a response failed (past its deadline, or a step that broke): as a cancel does, with the error.</summary>
    public Task Fail(BehaviorContext<SessionState, FailResponse> context) =>
        End(context, context.Message.ResponseId, ResponseStatuses.Failed, new ResponseError(context.Message.Code, context.Message.Message));

    public Task FailActiveResponse(BehaviorContext<SessionState> context, ResponseError error) =>
        Finish(context, ResponseStatuses.Failed, error);

    private async Task End(BehaviorContext<SessionState> context, string responseId, string status, ResponseError? error = null)
    {
        var session = context.Saga;
        if (session.ActiveResponseId == responseId)
        {
            if (session.PendingCalls.Count > 0)
            {
                await context.Publish(new ToolCallCancelled { SessionId = session.CorrelationId, CallId = session.PendingCalls[0].CallId });
            }

            await Finish(context, status, error);
            return;
        }

        // A waiting response leaves the queue; one the session does not know (its queuing broke
        // before the session took it) is ended all the same, unless it has finished.
        session.WaitingResponseIds.Remove(responseId);
        var response = await store.FindAsync(responseId, context.CancellationToken);
        if (response is { IsFinished: false } && response.Snapshot.SessionId == session.CorrelationId)
        {
            await ending.EndAsync(context, _announcements, session.CorrelationId, responseId, status, error, null, context.CancellationToken);
        }
    }

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

        if (response.IsFinished)
        {
            // Cancelled or failed while it waited, by a path that did not need the session.
            await StartNextWaiting(context);
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
        }
        session.PendingCalls = [];

        await store.SetStatusAsync(responseId, ResponseStatuses.InProgress, context.CancellationToken);
        await events.StoreAsync(_announcements, responseId, [ResponseEvents.Lifecycle(ResponseEvents.InProgress, ResponseStatuses.InProgress)], context.CancellationToken);
        await AskModel(context);
    }

    private async Task AskModel(BehaviorContext<SessionState> context)
    {
        var session = context.Saga;
        if (session.ModelCalls >= options.Value.MaxModelCalls)
        {
            await Finish(context, ResponseStatuses.Incomplete, incompleteReason: "max_model_calls");
            return;
        }

        session.ModelCalls++;
        var asking = model.AskAsync(session.CorrelationId, session.ActiveResponseId!, session.ModelCalls, context.CancellationToken);
        ModelTurn? turn;
        try
        {
            turn = await asking.WaitAsync(AnnounceWhileThinkingAfter, context.CancellationToken);
        }
        catch (TimeoutException)
        {
            // Straight to the bus, not through the step's outbox: these events are stored already,
            // and the api relays each one once, by its sequence number, however often it is told.
            await _announcements.AnnounceAsync(bus, context.CancellationToken);
            turn = await asking;
        }

        if (turn is null)
        {
            // Cancelled while the model thought: the cancel, next in line for this session, ends it.
            return;
        }

        await ApplyModelTurn(context, turn);
    }

    private async Task DispatchRunningCallAsync(BehaviorContext<SessionState> context)
    {
        var session = context.Saga;
        if (session.ContainerLostCode is { } code)
        {
            await FailRunningCallAsync(context, code, code == ErrorCodes.ContainerExpired
                ? "This session's container has expired and was removed; its files are gone. Start a new conversation to get a new container."
                : "This session's container was lost with the executor that held it; its files are gone. Start a new conversation to get a new container.");
            return;
        }

        var call = session.PendingCalls[0];
        var responseId = session.ActiveResponseId!;
        if (session.ExecutorId is null && !executors.AnyAlive(TimeSpan.FromSeconds(options.Value.NoExecutorSeconds)))
        {
            await FailRunningCallAsync(context, ErrorCodes.NoExecutor,
                $"No executor has been heard from for {options.Value.NoExecutorSeconds} s, so nothing can run this session's first call. Start an executor and try again.");
            return;
        }

        session.StreamedChunks = 0;
        session.CallSentAt = time.GetUtcNow().UtcDateTime;
        session.DeadlineAt = session.DeadlineAt?.Add(DeadlineAllowance(call));

        // Its output item is stored when the call completes, and will then be the next item.
        session.RunningOutputIndex = await store.CountItemsAsync(responseId, context.CancellationToken);
        await events.StoreAsync(_announcements, responseId, [ResponseEvents.Added(session.RunningOutputIndex, RunningOutputItem(call.CallId))], context.CancellationToken);

        // The first call of a session goes to any executor; the one that creates the container
        // keeps the session, and every later call goes to it.
        var executor = session.ExecutorId is null ? Endpoints.Executors : Endpoints.Executor(session.ExecutorId);
        await context.Send(executor, new ToolCallRequested
        {
            SessionId = session.CorrelationId,
            ResponseId = responseId,
            CallId = call.CallId,
            Commands = call.Commands,
            TimeoutMs = call.TimeoutMs,
            MaxOutputLength = call.MaxOutputLength,
            ContainerId = session.ContainerId,
            NetworkPolicy = session.NetworkPolicy,
        });
    }

    /// <summary>Ends the running call with the reason as its output, and fails the response with that code.</summary>
    private async Task FailRunningCallAsync(BehaviorContext<SessionState> context, string code, string message)
    {
        var call = context.Saga.PendingCalls[0];
        var outputs = call.Commands.Select(_ => new CommandOutput { Stderr = message, ExitCode = 255 }).ToList();
        await RecordOutputAsync(context, call.CallId, call.MaxOutputLength ?? 0, outputs);
        await Finish(context, ResponseStatuses.Failed, new ResponseError(code, message));
    }

    /// <summary>
    /// Passes a running call's output on to the stream, in order. A chunk that comes out of
    /// order, or after its call completed, is dropped: the completed output, which the stream
    /// always gets, is what counts.
    /// </summary>
    public Task ApplyOutputChunk(BehaviorContext<SessionState, ToolCallOutputProduced> context) => StreamChunkAsync(context, context.Message);

    private async Task StreamChunkAsync(BehaviorContext<SessionState> context, ToolCallOutputProduced chunk)
    {
        var session = context.Saga;
        if (chunk.Chunk != session.StreamedChunks)
        {
            return;
        }

        await events.StoreAsync(_announcements, chunk.ResponseId, [ResponseEvents.ShellOutput(session.RunningOutputIndex, OutputItemId(chunk.CallId), chunk)], context.CancellationToken);
        session.StreamedChunks++;
    }

    private async Task RecordOutputAsync(BehaviorContext<SessionState> context, string callId, int maxOutputLength, IReadOnlyList<CommandOutput> outputs)
    {
        var responseId = context.Saga.ActiveResponseId!;
        var token = context.CancellationToken;
        var output = new ResponseItem
        {
            Id = OutputItemId(callId),
            Type = ResponseItem.ShellCallOutput,
            CallId = callId,
            MaxOutputLength = maxOutputLength,
            Outputs = CommandOutputBudget.Cap(outputs, options.Value.MaxStoredOutputChars),
        };
        await store.SetItemStatusAsync(responseId, ShellCallItemId(callId), ItemStatus.Completed, token);
        var outputIndex = await store.AppendItemAsync(responseId, output, token);

        // Appending an item that is there already only finds its index.
        var call = context.Saga.PendingCalls.Find(c => c.CallId == callId);
        var callItem = new ResponseItem
        {
            Id = ShellCallItemId(callId),
            Type = ResponseItem.ShellCall,
            CallId = callId,
            Commands = call?.Commands ?? [],
            TimeoutMs = call?.TimeoutMs,
            MaxOutputLength = call?.MaxOutputLength,
        };
        var callIndex = await store.AppendItemAsync(responseId, callItem, token);
        await events.StoreAsync(_announcements, responseId,
            [ResponseEvents.Done(callIndex, callItem), ResponseEvents.Added(outputIndex, RunningOutputItem(callId)), ResponseEvents.Done(outputIndex, output)], token);
    }

    private async Task Finish(BehaviorContext<SessionState> context, string status, ResponseError? error = null, string? incompleteReason = null)
    {
        var session = context.Saga;
        await ending.EndAsync(context, _announcements, session.CorrelationId, session.ActiveResponseId!, status, error, incompleteReason, context.CancellationToken);

        session.ActiveResponseId = null;
        session.PendingCalls = [];
        session.DeadlineAt = null;
        session.CallSentAt = null;
        await StartNextWaiting(context);
    }

    /// <summary>
    /// What a call adds to its response's deadline: each command's own timeout, capped so that a
    /// model asking for hours cannot hold a response past the operator's deadline by much.
    /// </summary>
    private static TimeSpan DeadlineAllowance(ShellCallSpec call) =>
        TimeSpan.FromMilliseconds((double)Math.Min(call.TimeoutMs ?? 0, MaxCommandAllowanceMs) * call.Commands.Count);

    private const int MaxCommandAllowanceMs = 600_000;

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

    private static string OutputItemId(string callId) => Ids.Stable("sho", callId);

    private static ResponseItem RunningOutputItem(string callId) =>
        new() { Id = OutputItemId(callId), Type = ResponseItem.ShellCallOutput, Status = ItemStatus.InProgress, CallId = callId, Outputs = [] };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: call {CallId} could not run on executor {ExecutorId}: {Error}")]
    private partial void LogSandboxError(Guid sessionId, string callId, string executorId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId}: response {ResponseId} was queued but is not in the store; skipped")]
    private partial void LogMissingResponse(Guid sessionId, string responseId);
}
