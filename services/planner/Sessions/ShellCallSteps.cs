using Berth.Contracts;
using Berth.Planner.Executors;
using Berth.Planner.Responses;
using Berth.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Sessions;

/// <summary>
/// The shell calls of a model turn, run one after another: each stored as an item, sent to the
/// executor that holds the session's container (or to the pool for the first), its output
/// streamed while it runs and stored when it completes. What comes after a call is
/// <see cref="ResponseLifecycle"/>'s to say: a call that cannot run is reported back as the error
/// the response fails with. One per session message (scoped).
/// </summary>
internal sealed class ShellCallSteps(
    IResponseStore store,
    ResponseEvents events,
    AnnouncementBatch announcements,
    ExecutorRegistry executors,
    TimeProvider time,
    IOptions<PlannerOptions> options)
{
    /// <summary>
    /// Stores calls as in-progress items and sends the first; the error the response fails with
    /// if it cannot be sent. <paramref name="approval"/> is the person's approval the first waited for.
    /// </summary>
    public async Task<ResponseError?> RunAsync(BehaviorContext<SessionState> context, IReadOnlyList<ShellCallSpec> calls, ApprovalDecision? approval = null)
    {
        var session = context.Saga;
        var responseId = session.ActiveResponseId!;
        foreach (var call in calls)
        {
            var item = new ResponseItem
            {
                Id = CallItemId(call.CallId),
                Type = ResponseItem.ShellCall,
                Status = ItemStatus.InProgress,
                CallId = call.CallId,
                Commands = call.Commands,
                TimeoutMs = call.TimeoutMs,
                MaxOutputLength = call.MaxOutputLength,
            };
            var index = await store.AppendItemAsync(responseId, item, context.CancellationToken);
            await events.StoreAsync(announcements, responseId, ResponseEvents.ShellCall(index, item), context.CancellationToken);
        }

        session.ToolCalls += calls.Count;
        session.PendingCalls = [.. calls];
        return await DispatchRunningCallAsync(context, approval);
    }

    /// <summary>Sends the first pending call; when nothing can run it, ends it with the reason and returns the error.</summary>
    public async Task<ResponseError?> DispatchRunningCallAsync(BehaviorContext<SessionState> context, ApprovalDecision? approval = null)
    {
        var session = context.Saga;
        if (session.ContainerLostCode is { } code)
        {
            return await FailRunningCallAsync(context, code, code == ErrorCodes.ContainerExpired
                ? "This session's container has expired and was removed; its files are gone. Start a new conversation to get a new container."
                : "This session's container was lost with the executor that held it; its files are gone. Start a new conversation to get a new container.");
        }

        var call = session.PendingCalls[0];
        var responseId = session.ActiveResponseId!;
        if (session.ExecutorId is null && !executors.AnyAlive(TimeSpan.FromSeconds(options.Value.NoExecutorSeconds), session.Image))
        {
            return await FailRunningCallAsync(context, ErrorCodes.NoExecutor, session.Image is null
                ? $"No executor has been heard from for {options.Value.NoExecutorSeconds} s, so nothing can run this session's first call. Start an executor and try again."
                : $"No executor serving the image '{session.Image}' has been heard from for {options.Value.NoExecutorSeconds} s, so nothing can run this session's first call. Start one that has the image and try again.");
        }

        session.StreamedChunks = 0;
        session.CallSentAt = time.GetUtcNow().UtcDateTime;
        session.DeadlineAt = session.DeadlineAt?.Add(DeadlineAllowance(call));

        // Its output item is stored when the call completes, and will then be the next item.
        session.RunningOutputIndex = await store.CountItemsAsync(responseId, context.CancellationToken);
        await events.StoreAsync(announcements, responseId, [ResponseEvents.Added(session.RunningOutputIndex, RunningOutputItem(call.CallId))], context.CancellationToken);

        // The first call of a session goes to any executor; the one that creates the container
        // keeps the session, and every later call goes to it.
        var executor = session.ExecutorId is null ? Endpoints.Pool(session.Image) : Endpoints.Executor(session.ExecutorId);

        // The files and skills the container is made with, read from the response only while there
        // is none: they stay out of the saga, which every step of the session rewrites.
        var shell = session.ContainerId is null ? (await store.FindAsync(responseId, context.CancellationToken))?.Snapshot.Shell : null;
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
            MemoryMb = session.MemoryMb,
            Image = session.Image,
            RestoreFrom = session.RestoreFrom is { } kept ? new Uri(kept) : shell?.RestoreFrom,
            RestoreSkillsFrom = session.RestoreFrom is not null ? (session.RestoreSkillsFrom is { } skills ? new Uri(skills) : null) : shell?.RestoreSkillsFrom,
            IdleMinutes = shell?.IdleMinutes,
            Files = shell?.Files ?? [],
            Skills = shell?.Skills ?? [],
            Approval = approval,
        });
        return null;
    }

    /// <summary>Ends the running call with the reason as its output; returns the error its response fails with.</summary>
    public async Task<ResponseError> FailRunningCallAsync(BehaviorContext<SessionState> context, string code, string message)
    {
        var call = context.Saga.PendingCalls[0];
        var outputs = call.Commands.Select(_ => new CommandOutput { Stderr = message, ExitCode = 255 }).ToList();
        await RecordOutputAsync(context, call.CallId, call.MaxOutputLength ?? 0, outputs);
        return new ResponseError(code, message);
    }

    /// <summary>
    /// Passes a running call's output on to the stream, in order. A chunk that comes out of
    /// order, or after its call completed, is dropped: the completed output, which the stream
    /// always gets, is what counts.
    /// </summary>
    public async Task StreamChunkAsync(BehaviorContext<SessionState> context, ToolCallOutputProduced chunk)
    {
        var session = context.Saga;
        if (chunk.Chunk != session.StreamedChunks)
        {
            return;
        }

        await events.StoreAsync(announcements, chunk.ResponseId, [ResponseEvents.ShellOutput(session.RunningOutputIndex, OutputItemId(chunk.CallId), chunk)], context.CancellationToken);
        session.StreamedChunks++;
    }

    /// <summary>Stores a call's output item and marks the call completed, with their stream events.</summary>
    public async Task RecordOutputAsync(BehaviorContext<SessionState> context, string callId, int maxOutputLength, IReadOnlyList<CommandOutput> outputs)
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
        await store.SetItemStatusAsync(responseId, CallItemId(callId), ItemStatus.Completed, token);
        var outputIndex = await store.AppendItemAsync(responseId, output, token);

        // Appending an item that is there already only finds its index.
        var call = context.Saga.PendingCalls.Find(c => c.CallId == callId);
        var callItem = new ResponseItem
        {
            Id = CallItemId(callId),
            Type = ResponseItem.ShellCall,
            CallId = callId,
            Commands = call?.Commands ?? [],
            TimeoutMs = call?.TimeoutMs,
            MaxOutputLength = call?.MaxOutputLength,
        };
        var callIndex = await store.AppendItemAsync(responseId, callItem, token);
        await events.StoreAsync(announcements, responseId,
            [
                ResponseEvents.Done(callIndex, callItem),
                ResponseEvents.Added(outputIndex, RunningOutputItem(callId)),
                .. ResponseEvents.ShellOutputsDone(outputIndex, output),
                ResponseEvents.Done(outputIndex, output),
            ], token);
    }

    /// <summary>
    /// What a call adds to its response's deadline: each command's own timeout, capped so that a
    /// model asking for hours cannot hold a response past the operator's deadline by much.
    /// </summary>
    private static TimeSpan DeadlineAllowance(ShellCallSpec call) =>
        TimeSpan.FromMilliseconds((double)Math.Min(call.TimeoutMs ?? 0, MaxCommandAllowanceMs) * call.Commands.Count);

    private const int MaxCommandAllowanceMs = 600_000;

    private static string CallItemId(string callId) => Ids.Stable("sh", callId);

    private static string OutputItemId(string callId) => Ids.Stable("sho", callId);

    private static ResponseItem RunningOutputItem(string callId) =>
        new() { Id = OutputItemId(callId), Type = ResponseItem.ShellCallOutput, Status = ItemStatus.InProgress, CallId = callId, Outputs = [] };
}
