using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Sessions;

/// <summary>
/// The agent loop of one session. Idle until a response is queued; Acting while a shell call
/// runs; Idle again (or on to the next queued response) once the model answers without a tool
/// call. The model is called inside the step that needs its answer (the response's start, or
/// the last call's result), so a session rests in Thinking only when a cancel stopped that call
/// and is next in line to end the response.
/// What each step does lives in <see cref="SessionLoop"/>; this class says when.
/// </summary>
public sealed class SessionStateMachine : MassTransitStateMachine<SessionState>
{
    public State Idle { get; private set; } = null!;
    public State Thinking { get; private set; } = null!;
    public State Acting { get; private set; } = null!;

    public Event<ResponseQueued> ResponseQueued { get; private set; } = null!;
    public Event<ToolCallCompleted> ToolCallCompleted { get; private set; } = null!;
    public Event<ToolCallOutputProduced> OutputProduced { get; private set; } = null!;

    // MassTransit publishes this when an executor's consumer throws after its retries: it broke
    // in a way it could not report. The response fails instead of waiting.
    public Event<Fault<ToolCallRequested>> ToolCallFaulted { get; private set; } = null!;

    public Event<ResponseCancelRequested> CancelRequested { get; private set; } = null!;

    /// <summary>The watchdog, or a step that broke past its retries, ends a response failed.</summary>
    public Event<FailResponse> FailRequested { get; private set; } = null!;

    /// <summary>Reaches every session whose container the lost executor held.</summary>
    public Event<ExecutorLost> ExecutorLost { get; private set; } = null!;

    public SessionStateMachine()
    {
        InstanceState(session => session.CurrentState);

        Event(() => ResponseQueued, e => e.CorrelateById(m => m.Message.SessionId));
        Event(() => ToolCallCompleted, e =>
        {
            e.CorrelateById(m => m.Message.SessionId);
            e.OnMissingInstance(m => m.Discard());
        });

        Event(() => OutputProduced, e =>
        {
            e.CorrelateById(m => m.Message.SessionId);
            e.OnMissingInstance(m => m.Discard());
        });

        Event(() => ToolCallFaulted, e =>
        {
            e.CorrelateById(m => m.Message.Message.SessionId);
            e.OnMissingInstance(m => m.Discard());
        });

        Event(() => CancelRequested, e =>
        {
            e.CorrelateById(m => m.Message.SessionId);
            e.OnMissingInstance(m => m.Discard());
        });

        Event(() => FailRequested, e =>
        {
            e.CorrelateById(m => m.Message.SessionId);
            e.OnMissingInstance(m => m.Discard());
        });

        Event(() => ExecutorLost, e =>
        {
            e.CorrelateBy((session, context) => session.ExecutorId == context.Message.ExecutorId);
            e.OnMissingInstance(m => m.Discard());
        });

        Initially(
            ToPhase(When(ResponseQueued)
                .ThenAsync(context => context.Step(loop => loop.QueueResponse(context)))));

        During(Idle,
            ToPhase(When(ResponseQueued)
                .ThenAsync(context => context.Step(loop => loop.QueueResponse(context)))));

        During(Thinking, Acting,
            When(ResponseQueued)
                .ThenAsync(context => context.Step(loop => loop.QueueResponse(context))));

        During(Acting,
            ToPhase(When(ToolCallCompleted, context => IsRunningCall(context.Saga, context.Message.ResponseId, context.Message.CallId))
                .ThenAsync(context => context.Step(loop => loop.ApplyToolResult(context)))),
            When(OutputProduced, context => IsRunningCall(context.Saga, context.Message.ResponseId, context.Message.CallId))
                .ThenAsync(context => context.Step(loop => loop.ApplyOutputChunk(context))),
            ToPhase(When(ToolCallFaulted, context => IsRunningCall(context.Saga, context.Message.Message.ResponseId, context.Message.Message.CallId))
                .ThenAsync(context => context.Step(loop => loop.FailActiveResponse(context, new ResponseError(ErrorCodes.SandboxError,
                    $"The executor failed while running the call: {FirstMessage(context.Message)}"))))));

        DuringAny(
            ToPhase(When(ExecutorLost)
                .ThenAsync(context => context.Step(loop => loop.LoseContainer(context)))),
            ToPhase(When(CancelRequested)
                .ThenAsync(context => context.Step(loop => loop.Cancel(context)))),
            ToPhase(When(FailRequested)
                .ThenAsync(context => context.Step(loop => loop.Fail(context)))));

        // Delivery is at least once: a redelivered or late reply (for a step or call the
        // session has moved past) is expected and changes nothing.
        OnUnhandledEvent(context => context.Ignore());
    }

    private static bool IsRunningCall(SessionState session, string responseId, string callId) =>
        session.ActiveResponseId == responseId
        && session.PendingCalls.Count > 0
        && session.PendingCalls[0].CallId == callId;

    private static string FirstMessage<T>(Fault<T> fault) => fault.Exceptions.FirstOrDefault()?.Message ?? "no details";

    /// <summary>The state follows from the session's data: nothing active, a call running, or the model's turn.</summary>
    private EventActivityBinder<SessionState, T> ToPhase<T>(EventActivityBinder<SessionState, T> binder)
        where T : class =>
        binder.IfElse(context => context.Saga.ActiveResponseId is null,
            idle => idle.TransitionTo(Idle),
            busy => busy.IfElse(context => context.Saga.PendingCalls.Count > 0,
                acting => acting.TransitionTo(Acting),
                thinking => thinking.TransitionTo(Thinking)));
}
