namespace Berth.Executor.Sandbox;

/// <summary>
/// How a container's name says whose it is: <c>berth-&lt;session&gt;</c> for a session's, and
/// <c>berth-warm-&lt;random&gt;</c> for a warm one. Names, unlike labels, can change (a warm
/// container is claimed by renaming it), and a restarted executor knows its containers by them.
/// </summary>
internal static class SandboxNames
{
    private const string SessionPrefix = "berth-";
    private const string WarmPrefix = "berth-warm-";

    public static string Session(Guid sessionId) => $"{SessionPrefix}{sessionId:N}";

    public static string NewWarm() => $"{WarmPrefix}{Guid.NewGuid():N}";

    public static bool IsWarm(string name) => name.StartsWith(WarmPrefix, StringComparison.Ordinal);

    /// <summary>The session a container's name says it belongs to.</summary>
    public static bool TrySessionOf(string name, out Guid sessionId)
    {
        sessionId = Guid.Empty;
        return name.StartsWith(SessionPrefix, StringComparison.Ordinal)
            && Guid.TryParseExact(name[SessionPrefix.Length..], "N", out sessionId);
    }
}
