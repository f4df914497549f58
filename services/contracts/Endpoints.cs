namespace Berth.Contracts;

/// <summary>
/// The queues commands are sent to. Like the message types, these names are part of the wire
/// format between services: change them only together with every service that uses them.
/// </summary>
public static class Endpoints
{
    public const string ModelQueue = "berth-model";
    public const string ExecutorsQueue = "berth-executors";

    /// <summary>The planner's model callers, competing consumers.</summary>
    public static Uri Model { get; } = new($"queue:{ModelQueue}");

    /// <summary>Any executor of the pool: a session's first tool call goes here.</summary>
    public static Uri Executors { get; } = new($"queue:{ExecutorsQueue}");

    /// <summary>
    /// One executor's own queue, for the sessions whose containers it holds. It is deleted when
    /// its executor disconnects (auto-delete), so messages do not pile up for a dead executor.
    /// Sender and executor must declare it alike, or RabbitMQ refuses the second declaration.
    /// </summary>
    public static Uri Executor(string executorId) => new($"queue:{ExecutorQueueName(executorId)}?autodelete=true");

    public static string ExecutorQueueName(string executorId) => $"berth-executor-{executorId}";
}
