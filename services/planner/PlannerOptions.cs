using System.ComponentModel.DataAnnotations;

namespace Berth.Planner;

/// <summary>Limits of the agent loop. Section <c>Planner</c>.</summary>
internal sealed class PlannerOptions : IValidatableObject
{
    public const string Section = "Planner";

    /// <summary>Model calls one response may make before it ends <c>incomplete</c>, whatever <c>max_tool_calls</c> says.</summary>
    [Range(1, 1000)]
    public int MaxModelCalls { get; set; } = 50;

    /// <summary>
    /// Session steps this planner runs at once. A step never waits on the model (it sends
    /// <c>AskModel</c> and ends), so a step takes milliseconds, and this bounds only the store's load.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxConcurrentSteps { get; set; } = 64;

    /// <summary>
    /// Model calls this planner has in flight at once, across all sessions. A call holds an HTTP
    /// request and a delivery, no thread: the model endpoint's own limits are the ones that bite.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxModelCallsInFlight { get; set; } = 1_000;

    /// <summary>
    /// Where state lives. <c>Auto</c>: MongoDB when <c>ConnectionStrings:mongodb</c> is set, else the
    /// planner refuses to start. <c>InMemory</c>: in this process only, lost on restart, and
    /// only right for a single planner. <c>MongoDb</c>: MongoDB, required.
    /// </summary>
    public PlannerStore Store { get; set; } = PlannerStore.Auto;

    /// <summary>Days a response and its items are kept (a TTL index; OpenAI keeps them 30 days).</summary>
    [Range(1, 3650)]
    public int ResponseRetentionDays { get; set; } = 30;

    /// <summary>Days an idle session's saga is kept; a response that continues it later starts it afresh.</summary>
    [Range(1, 3650)]
    public int SessionRetentionDays { get; set; } = 30;

    /// <summary>
    /// An executor silent this long, whose lock on the broker is gone too, is declared lost, and
    /// the calls it was running fail with <c>container_lost</c>. Short, because the lock makes
    /// it safe: a live executor holds its lock however late its heartbeats are. With the
    /// default heartbeat (2 s) and sweep, a killed executor's sessions fail within 10 s.
    /// </summary>
    [Range(1, 3600)]
    public int ExecutorTimeoutSeconds { get; set; } = 5;

    [Range(1, 600)]
    public int ExecutorSweepSeconds { get; set; } = 1;

    /// <summary>
    /// How long a response may run before it fails with <c>timeout</c>: from when it starts (time
    /// queued behind another response of its session does not count), extended by each command's
    /// own timeout when that command is sent.
    /// </summary>
    [Range(1, 7 * 24 * 60)]
    public int ResponseDeadlineMinutes { get; set; } = 60;

    /// <summary>
    /// With no executor heard from for this long, a session's first call fails with
    /// <c>no_executor</c> instead of waiting in the pool's queue for one that may never come.
    /// </summary>
    [Range(1, 3600)]
    public int NoExecutorSeconds { get; set; } = 30;

    /// <summary>
    /// How long a response made with <c>store: false</c> is kept after it ends, unseen by clients,
    /// for the api instance answering its request to read it back; then it is removed.
    /// </summary>
    [Range(1, 86_400)]
    public int UnstoredKeepSeconds { get; set; } = 300;

    /// <summary>How often the watchdog looks for responses past their deadline and first calls no executor can take.</summary>
    [Range(1, 600)]
    public int WatchdogSeconds { get; set; } = 5;

    /// <summary>Sessions one tenant may run at once (a response queued or in progress); 0 is no limit. Over it, a new response gets 429.</summary>
    [Range(0, 1_000_000)]
    public int MaxConcurrentSessionsPerTenant { get; set; }

    /// <summary>
    /// Per-tenant exceptions to <see cref="MaxConcurrentSessionsPerTenant"/>, by tenant name, e.g.
    /// <c>Planner:TenantSessionLimits:acme=20</c>: the older spelling of
    /// <c>Tenants:acme:MaxSessions</c> (see <see cref="Tenants.TenantOptions"/>), which wins when both are set.
    /// </summary>
    public Dictionary<string, int> TenantSessionLimits { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Containers one tenant may hold at once, its sessions' own (a shell tool's
    /// <c>container_auto</c>) counted with those made by <c>POST /v1/containers</c>; 0 is no limit.
    /// Over it, a new container or a new session that would need one gets 429
    /// <c>container_limit_exceeded</c>. A multi-tenant pool sets it below the pool's capacity, so
    /// that one tenant cannot fill it; per tenant, <c>Tenants:&lt;tenant&gt;:MaxContainers</c>.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxContainersPerTenant { get; set; }

    public int SessionLimitOf(string tenant) => TenantSessionLimits.TryGetValue(tenant, out var limit) ? limit : MaxConcurrentSessionsPerTenant;

    /// <summary>
    /// The key that seals a <c>compaction</c> item's summary for the client (AES-256-GCM): 32
    /// bytes in base64, the same on every planner, so an item one made opens on another. Unset,
    /// each planner makes one of its own at start, and a compaction item passed back after a
    /// restart, or to another planner, is refused.
    /// </summary>
    public string? CompactionKey { get; set; }

    /// <summary>
    /// Regular expressions (.NET syntax) that make a shell call wait for a person's approval when
    /// any of its commands matches one, for every tenant, whatever the request's
    /// <c>require_approval</c> says: a request can add to these, not lower them.
    /// </summary>
    public List<string> ApprovalPatterns { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        TenantSessionLimits.Where(limit => limit.Value < 0).Select(limit => new ValidationResult(
            $"Planner:TenantSessionLimits:{limit.Key} is {limit.Value}; give 0 (no limit) or more.", [nameof(TenantSessionLimits)]))
        .Concat(CompactionKey is { } key && !IsKey(key)
            ? [new ValidationResult("Planner:CompactionKey must be 32 random bytes in base64 (openssl rand -base64 32).", [nameof(CompactionKey)])]
            : [])
        .Concat(ApprovalPatterns.Select((pattern, index) => (Index: index, Problem: ServiceDefaults.ApprovalPatterns.Problem(pattern)))
            .Where(p => p.Problem is not null)
            .Select(p => new ValidationResult($"Planner:ApprovalPatterns:{p.Index}: {p.Problem}", [nameof(ApprovalPatterns)])));

    private static bool IsKey(string key)
    {
        var bytes = new byte[33];
        return Convert.TryFromBase64String(key, bytes, out var length) && length == 32;
    }

    /// <summary>Characters of command output stored per shell call, across its commands; more is cut with a marker.</summary>
    [Range(1_000, 8_000_000)]
    public int MaxStoredOutputChars { get; set; } = 2_000_000;

    /// <summary>
    /// A finished response with at most this many characters of text goes out whole with its
    /// <c>ResponseFinished</c>, which every api instance receives; a larger one is read back by
    /// the waiting request. 0: never send it whole.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxFinishedTextChars { get; set; } = 64 * 1024;
}

internal enum PlannerStore
{
    Auto,
    InMemory,
    MongoDb,
}
