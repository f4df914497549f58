using MassTransit;

namespace Berth.Planner.Sessions;

internal static class SessionLoopExtensions
{
    /// <summary>The loop for this message, from the consume scope, so it gets the scope's store and logger.</summary>
    public static SessionLoop Loop(this BehaviorContext<SessionState> context) =>
        context.GetServiceOrCreateInstance<SessionLoop>();
}
