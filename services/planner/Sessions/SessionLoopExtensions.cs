using MassTransit;

namespace Berth.Planner.Sessions;

internal static class SessionLoopExtensions
{
    /// <summary>One step of the loop for this message, from the consume scope, so it gets the scope's store and logger.</summary>
    public static Task Step(this BehaviorContext<SessionState> context, Func<SessionLoop, Task> step) =>
        context.GetServiceOrCreateInstance<SessionLoop>().Step(context, step);
}
