namespace Berth.Contracts;

/// <summary>
/// The <c>error.code</c> values a failed response or call can carry. Like the message types they
/// are part of the wire format: clients branch on them, so each is defined here once.
/// </summary>
public static class ErrorCodes
{
    /// <summary>The sandbox could not run the call (Docker refused, the command could not start).</summary>
    public const string SandboxError = "sandbox_error";

    /// <summary>The executor holding the session's container is gone, and the container with it.</summary>
    public const string ContainerLost = "container_lost";

    /// <summary>The session's container expired and was removed.</summary>
    public const string ContainerExpired = "container_expired";

    public const string ContainerNotFound = "container_not_found";

    /// <summary>No container could be made for <c>POST /v1/containers</c> (the pool was full, Docker refused).</summary>
    public const string ContainerUnavailable = "container_unavailable";

    /// <summary>Executors are alive, but none had room for a new session in time.</summary>
    public const string PoolFull = "pool_full";

    /// <summary>No executor has been heard from for <c>Planner:NoExecutorSeconds</c>: nothing could run a new session's first call.</summary>
    public const string NoExecutor = "no_executor";

    /// <summary>The session's egress proxy could not be started.</summary>
    public const string NetworkUnavailable = "network_unavailable";

    /// <summary>The response ran past its deadline.</summary>
    public const string Timeout = "timeout";

    /// <summary>The command was running when its executor died; it was not run again.</summary>
    public const string Interrupted = "interrupted";

    /// <summary>A step of the response failed past its retries (a bug, or a store that kept refusing).</summary>
    public const string ServerError = "server_error";

    /// <summary>The tenant has as many streams open on this api instance as it may (<c>Api:MaxStreamsPerTenant</c>); answered 429.</summary>
    public const string StreamLimitExceeded = "stream_limit_exceeded";

    /// <summary>
    /// The tenant holds as many containers as it may (<c>Planner:MaxContainersPerTenant</c>, or
    /// <c>Tenants:&lt;tenant&gt;:MaxContainers</c>), counting the containers of its sessions; answered 429.
    /// </summary>
    public const string ContainerLimitExceeded = "container_limit_exceeded";

    /// <summary>The tenant made as many requests this minute, or runs as many sessions at once, as it may; answered 429.</summary>
    public const string RateLimitExceeded = "rate_limit_exceeded";

    /// <summary>
    /// A payload that travelled out of band (<c>Payloads:*</c>) is not in the shared store: it
    /// expired, its request was given up on, or the services do not share one store.
    /// </summary>
    public const string PayloadUnavailable = "payload_unavailable";

    /// <summary>An upload larger than this Berth accepts (413).</summary>
    public const string FileTooLarge = "file_too_large";

    /// <summary>A response cannot be deleted while it is queued or running: its session still writes to it.</summary>
    public const string ResponseNotFinished = "response_not_finished";

    /// <summary>A response answered a <c>shell_approval_request</c> that no longer waits: another response of the session ran first.</summary>
    public const string ApprovalNotPending = "approval_not_pending";
}
