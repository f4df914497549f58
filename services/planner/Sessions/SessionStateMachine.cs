using Berth.Contracts;
using Berth.Planner.Sessions.Activities;
using MassTransit;

namespace Berth.Planner.Sessions;

/// <summary>
/// The agent loop of one session. <b>Idle</b> until a response is queued; <b>Thinking</b> while
/// the model is asked for the response's next step (the question is a message of its own, so no
/// step ever waits on the model); <b>Acting</b> while a shell call runs. When the model answers
/// without a call the response ends, and the session goes on to the next queued response
/// (Thinking again) or rests (Idle). A response that continues one paused for approval starts
/// with the approved call (Acting), and a response submitted with <c>interrupt</c> ends the
/// running one and takes its place.
/// What each event does lives in its activity (<see cref="Activities"/>); this class says when,
/// and where the session goes next.
/// </summary>
internal sealed class SessionStateMachine : MassTransitStateMachine<SessionState>
{
    public State Idle { get; private set; } = null!;
    public State Thinking { get; private set; } = null!;
    public State Acting { get; private set; } = null!;

    public Event<ResponseQueued> ResponseQueued { get; private set; } = null!;
    public Event<ModelAnswered> ModelAnswered { get; private set; } = null!;
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

    /// <summary>The session's container expired, its workspace kept: the next call restores it in a new one.</summary>
    public Event<SessionWorkspaceKept> WorkspaceKept { get; private set; } = null!;

    public SessionStateMachine()
    {
        InstanceState(session => session.CurrentState);

        Event(() => ResponseQueued, e => e.CorrelateById(m => m.Message.SessionId));
        Event(() => ModelAnswered, e => DiscardWhenMissing(e, m => m.SessionId));
        Event(() => ToolCallCompleted, e => DiscardWhenMissing(e, m => m.SessionId));
        Event(() => OutputProduced, e => DiscardWhenMissing(e, m => m.SessionId));
        Event(() => ToolCallFaulted, e => DiscardWhenMissing(e, m => m.Message.SessionId));
        Event(() => CancelRequested, e => DiscardWhenMissing(e, m => m.SessionId));
        Event(() => FailRequested, e => DiscardWhenMissing(e, m => m.SessionId));
        Event(() => WorkspaceKept, e => DiscardWhenMissing(e, m => m.SessionId));
        Event(() => ExecutorLost, e =>
        {
            e.CorrelateBy((session, context) => session.ExecutorId == context.Message.ExecutorId);
            e.OnMissingInstance(m => m.Discard());
        });

        // Starting a response asks the model; one that cannot start leaves the session idle.
        Initially(
            ToActingThinkingOrIdle(When(ResponseQueued).Activity(x => x.OfType<QueueResponseActivity>())));

        During(Idle,
            ToActingThinkingOrIdle(When(ResponseQueued).Activity(x => x.OfType<QueueResponseActivity>())),
            When(ExecutorLost).Activity(x => x.OfType<LoseContainerActivity>()));

        // A busy session queues the response, and starts it when the one before it ends; or
        // ends the running one at once, when the new response interrupts it.
        During(Thinking, Acting,
            ToActingThinkingOrIdle(When(ResponseQueued).Activity(x => x.OfType<QueueResponseActivity>())));

        // An answer with calls runs the first; one without ends the response.
        During(Thinking,
            ToActingThinkingOrIdle(When(ModelAnswered, context => IsCurrentStep(context.Saga, context.Message))
                .Activity(x => x.OfType<ApplyModelAnswerActivity>())),
            When(ExecutorLost).Activity(x => x.OfType<LoseContainerActivity>()));

        // A completed call runs the turn's next call, or asks the model again; a broken one ends the response.
        During(Acting,
            ToActingThinkingOrIdle(When(ToolCallCompleted, context => IsRunningCall(context.Saga, context.Message.ResponseId, context.Message.CallId))
                .Activity(x => x.OfType<ApplyToolResultActivity>())),
            When(OutputProduced, context => IsRunningCall(context.Saga, context.Message.ResponseId, context.Message.CallId))
                .Activity(x => x.OfType<StreamOutputActivity>()),
            ToActingThinkingOrIdle(When(ToolCallFaulted, context => IsRunningCall(context.Saga, context.Message.Message.ResponseId, context.Message.Message.CallId))
                .Activity(x => x.OfType<FailFaultedCallActivity>())),
            ToActingThinkingOrIdle(When(ExecutorLost).Activity(x => x.OfType<LoseContainerActivity>())));

        // Ending the running response frees the session for the next; ending a waiting one changes nothing else.
        DuringAny(
            ToActingThinkingOrIdle(When(CancelRequested, context => IsActive(context.Saga, context.Message.ResponseId))
                .Activity(x => x.OfType<CancelResponseActivity>())),
            When(CancelRequested, context => !IsActive(context.Saga, context.Message.ResponseId))
                .Activity(x => x.OfType<CancelResponseActivity>()),
            ToActingThinkingOrIdle(When(FailRequested, context => IsActive(context.Saga, context.Message.ResponseId))
                .Activity(x => x.OfType<FailResponseActivity>())),
            When(FailRequested, context => !IsActive(context.Saga, context.Message.ResponseId))
                .Activity(x => x.OfType<FailResponseActivity>()),
            When(WorkspaceKept).Activity(x => x.OfType<KeepWorkspaceActivity>()));

        // Delivery is at least once: a redelivered or late reply (for a step or call the
        // session has moved past) is expected and changes nothing.
        OnUnhandledEvent(context => context.Ignore());
    }

    private static void DiscardWhenMissing<T>(IEventCorrelationConfigurator<SessionState, T> e, Func<T, Guid> sessionId)
        where T : class
    {
        e.CorrelateById(m => sessionId(m.Message));
        e.OnMissingInstance(m => m.Discard());
    }

    private static bool IsActive(SessionState session, string responseId) => session.ActiveResponseId == responseId;

    private static bool IsCurrentStep(SessionState session, ModelAnswered answer) =>
        session.ActiveResponseId == answer.ResponseId && session.ModelCalls == answer.Step && session.PendingCalls.Count == 0;

    private static bool IsRunningCall(SessionState session, string responseId, string callId) =>
        session.ActiveResponseId == responseId
        && session.PendingCalls.Count > 0
        && session.PendingCalls[0].CallId == callId;

    /// <summary>
    /// After a step, or a response that started or ended: a call was sent (a turn's next, or the
    /// approved call a response starts with), or the model was asked, or nothing is left to run.
    /// </summary>
    private EventActivityBinder<SessionState, T> ToActingThinkingOrIdle<T>(EventActivityBinder<SessionState, T> binder)
        where T : class =>
        binder.IfElse(context => context.Saga.ActiveResponseId is null,
            idle => idle.TransitionTo(Idle),
            active => active.IfElse(context => context.Saga.PendingCalls.Count > 0,
                calling => calling.TransitionTo(Acting),
                asked => asked.TransitionTo(Thinking)));
}
