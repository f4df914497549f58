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

    /// <summary>The conversation does not fit the model's context window: a 400 before the response is queued, or a failed response when a run outgrows it.</summary>
    public const string ContextLengthExceeded = "context_length_exceeded";

    /// <summary>The model endpoint could not be reached, or answered 5xx, past the client's retries.</summary>
    public const string ModelUnavailable = "model_unavailable";

    /// <summary>The model endpoint refused the request (4xx).</summary>
    public const string ModelRequestRejected = "model_request_rejected";

    /// <summary>No planner answered the api in time; answered 503.</summary>
    public const string PlannerUnavailable = "planner_unavailable";

    // A container file operation that failed (ContainerFileFailed), as the executor says why.

    /// <summary>No such file in the container.</summary>
    public const string FileNotFound = "not_found";

    /// <summary>The path is not a regular file under <c>/mnt/data</c>, or a bundle holds one outside its folder.</summary>
    public const string InvalidPath = "invalid_path";

    /// <summary>The file is larger than a download may be.</summary>
    public const string FileTooLargeToRead = "too_large";

    /// <summary>The container holds as many uploaded files as it may.</summary>
    public const string TooManyFiles = "too_many_files";

    /// <summary>The file operation failed in another way; its message says how.</summary>
    public const string FileError = "file_error";

    /// <summary>A workspace's archive is larger than a snapshot may be (<c>Executor:MaxSnapshotMb</c>).</summary>
    public const string SnapshotTooLarge = "snapshot_too_large";

    /// <summary>The tenant's snapshots would hold more than its total (<c>Tenants:&lt;tenant&gt;:MaxSnapshotMb</c>).</summary>
    public const string SnapshotLimitExceeded = "snapshot_limit_exceeded";

    /// <summary>A snapshot's archive holds something a workspace may not: a link, a device, a path outside it, or too much.</summary>
    public const string InvalidSnapshot = "invalid_snapshot";

    /// <summary>The container a file operation was for has expired or was removed.</summary>
    public const string ContainerGone = "container_gone";

    /// <summary>The model endpoint refused the planner's key (401 or 403).</summary>
    public const string ModelAuthenticationFailed = "model_authentication_failed";

    /// <summary>The model endpoint kept answering 429, past the client's retries.</summary>
    public const string ModelRateLimited = "model_rate_limited";

    /// <summary>The model made a call that cannot run: a tool not offered, or arguments that do not parse.</summary>
    public const string InvalidToolCall = "invalid_tool_call";

    /// <summary>A step asked about a response that is not in the store.</summary>
    public const string ResponseNotFound = "response_not_found";
}
