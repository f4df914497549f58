namespace Berth.Contracts;

/// <summary>
/// The queues commands are sent to. Like the message types, these names are part of the wire
/// format between services: change them only together with every service that uses them.
/// </summary>
public static class Endpoints
{
    public const string ExecutorsQueue = "berth-executors";

    /// <summary>The session saga's queue, on the planners.</summary>
    public const string SessionsQueue = "berth-sessions";

    public static Uri Sessions { get; } = new($"queue:{SessionsQueue}");

    /// <summary>The planners' model calls: any planner takes a session's <see cref="AskModel"/>.</summary>
    public const string ModelCallsQueue = "berth-model-calls";

    /// <summary>The planners' record of uploaded files (<c>/v1/files</c>).</summary>
    public const string FilesQueue = "berth-files";

    /// <summary>The planners' record of conversations and their items (<c>/v1/conversations</c>).</summary>
    public const string ConversationsQueue = "berth-conversations";

    /// <summary>The planners' <c>POST /v1/responses/compact</c>.</summary>
    public const string CompactionsQueue = "berth-compactions";

    /// <summary>The planners' workspace snapshots (<c>/v1/containers/{id}/snapshots</c>): apart from other container requests, as taking one can take minutes.</summary>
    public const string SnapshotsQueue = "berth-snapshots";

    /// <summary>The planners' record of skills (<c>/v1/skills</c>).</summary>
    public const string SkillsQueue = "berth-skills";

    /// <summary>The planners' intake of new responses (<see cref="TaskSubmitted"/>).</summary>
    public const string IntakeQueue = "berth-intake";

    /// <summary>The planners' answers about stored responses: reads, streams' events, cancels, deletes.</summary>
    public const string ResponsesQueue = "berth-responses";

    /// <summary>The planners' <c>GET /v1/models</c>.</summary>
    public const string ModelsQueue = "berth-models";

    /// <summary>The planners' record of containers (<c>/v1/containers</c>) and of their removal.</summary>
    public const string ContainersQueue = "berth-containers";

    /// <summary>The planners' record of webhook endpoints.</summary>
    public const string WebhookEndpointsQueue = "berth-webhook-endpoints";

    /// <summary>Finished responses, turned into one delivery per subscribed webhook endpoint.</summary>
    public const string WebhookDispatchQueue = "berth-webhook-dispatch";

    /// <summary>Webhook deliveries, and the exchange their delay queues expire into.</summary>
    public const string WebhooksQueue = "berth-webhooks";

    public static Uri Webhooks { get; } = new($"queue:{WebhooksQueue}");

    /// <summary>A webhook delivery waiting this many seconds before its next attempt.</summary>
    public static string WebhookDelayQueueName(int seconds) => $"berth-webhooks-delay-{seconds}s";

    /// <summary>Faults of session steps, answered apart from the session queue.</summary>
    public const string SessionFaultsQueue = "berth-session-faults";

    public static Uri ModelCalls { get; } = new($"queue:{ModelCallsQueue}");

    /// <summary>Any executor of the pool: a session's first tool call goes here.</summary>
    public static Uri Executors { get; } = new($"queue:{ExecutorsQueue}");

    /// <summary>
    /// The pool's queue for sessions of one sandbox image: the executors that serve the image
    /// take from it, so a session's first call never reaches one that would have to fail it. The
    /// default image's pool is <see cref="ExecutorsQueue"/>.
    /// </summary>
    public static string PoolQueueName(string? image) => SandboxImages.NameOrDefault(image) == SandboxImages.Default ? ExecutorsQueue : $"{ExecutorsQueue}-image-{image}";

    public static Uri Pool(string? image) => new($"queue:{PoolQueueName(image)}");

    /// <summary>
    /// One executor's own endpoint, for the sessions whose containers it holds. Senders address
    /// its exchange, never its queue: only the executor declares the queue, which expires once it
    /// has had no consumer for a while, so messages for a dead executor do not pile up, and
    /// whatever was sent to it is failed by the planner's executor watch.
    /// </summary>
    public static Uri Executor(string executorId) => new($"exchange:{ExecutorQueueName(executorId)}");

    public static string ExecutorQueueName(string executorId) => $"berth-executor-{executorId}";

    /// <summary>
    /// One executor's endpoint for the Containers API's file operations, apart from its calls:
    /// a slow upload or download holds only the slots kept for files, never a session's tool
    /// call. The dot cannot occur in an executor id, so it never names another executor's queue.
    /// </summary>
    public static Uri ExecutorFiles(string executorId) => new($"exchange:{ExecutorFilesQueueName(executorId)}");

    public static string ExecutorFilesQueueName(string executorId) => $"berth-executor-files.{executorId}";

    /// <summary>
    /// The lock that makes an executor id one live process's: an exclusive queue, which RabbitMQ
    /// lets only one connection hold and deletes when that connection ends. The dot cannot occur
    /// in an executor id, so no executor's own queue can ever share this name.
    /// </summary>
    public static string ExecutorLockQueueName(string executorId) => $"berth-executor-lock.{executorId}";
}
