using Berth.Planner.Responses;
using MassTransit;

namespace Berth.Planner.Sessions.Activities;

/// <summary>
/// What the session does with one kind of message. After it, the stream events the step stored
/// are announced together; the outbox sends them, with the step's commands, once the session is
/// saved. Resolved from the message's scope, so it shares that scope's announcements.
/// </summary>
internal abstract class SessionActivity<TMessage>(AnnouncementBatch announcements) : IStateMachineActivity<SessionState, TMessage>
    where TMessage : class
{
    /// <summary>The stream events this step stored, announced when it ends.</summary>
    protected AnnouncementBatch Announcements { get; } = announcements;

    public async Task Execute(BehaviorContext<SessionState, TMessage> context, IBehavior<SessionState, TMessage> next)
    {
        // A retried message runs in the same scope: what its failed try collected is not its own.
        Announcements.Clear();
        await RunAsync(context);
        await Announcements.AnnounceAsync(context, context.CancellationToken);
        await next.Execute(context);
    }

    protected abstract Task RunAsync(BehaviorContext<SessionState, TMessage> context);

    public Task Faulted<TException>(BehaviorExceptionContext<SessionState, TMessage, TException> context, IBehavior<SessionState, TMessage> next)
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope(GetType().Name);

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}
