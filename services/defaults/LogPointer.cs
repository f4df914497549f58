using System.Diagnostics;

namespace Berth.ServiceDefaults;

/// <summary>
/// What a tenant is told in place of an upstream's own error text (Docker's, the model host's),
/// which can name hosts, paths, images and other tenants' work: that the service's log has the
/// details, and under which trace id to find them.
/// </summary>
public static class LogPointer
{
    /// <param name="service">The service whose log it is, as the sentence names it: "executor", "planner".</param>
    public static string InTheLog(string service) =>
        Activity.Current is { } activity
            ? $"The {service}'s log has the details under trace {activity.TraceId}."
            : $"The {service}'s log has the details.";
}
