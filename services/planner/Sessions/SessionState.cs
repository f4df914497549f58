using Berth.Contracts;
using Berth.Planner.Mongo;
using MassTransit;

namespace Berth.Planner.Sessions;

/// <summary>
/// One session: a chain of responses linked by <c>previous_response_id</c>, sharing one container.
/// Responses of a session run one at a time, in the order they were submitted.
/// </summary>
internal sealed class SessionState : SagaStateMachineInstance, ISagaVersion, ITimestampedSaga
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public int Version { get; set; }

    public string? ActiveResponseId { get; set; }
    public List<string> WaitingResponseIds { get; set; } = [];

    /// <summary>Model calls made by the active response; also the step number of the last one.</summary>
    public int ModelCalls { get; set; }
    public int ToolCalls { get; set; }
    public int? MaxToolCalls { get; set; }

    /// <summary>Shell calls of the model's last turn not yet completed; the first one is running.</summary>
    public List<ShellCallSpec> PendingCalls { get; set; } = [];

    /// <summary>
    /// Shell calls of the model's last turn not yet run, from the first that waits for a person's
    /// approval; once the response pauses, they wait for the next response of the session.
    /// </summary>
    public List<ShellCallSpec> HeldCalls { get; set; } = [];

    /// <summary>The response that paused for approval of the first held call; null while none waits.</summary>
    public string? HeldResponseId { get; set; }

    /// <summary>The active response's <c>require_approval</c> (<see cref="ApprovalModes"/>), and its patterns.</summary>
    public string? RequireApproval { get; set; }
    public List<string> ApprovalPatterns { get; set; } = [];

    /// <summary>The model's last turn also called the client's functions: once its shell calls have run, the response ends.</summary>
    public bool EndsWithFunctionCalls { get; set; }

    /// <summary>Output chunks of the running call passed on to the stream; the next one expected has this number.</summary>
    public int StreamedChunks { get; set; }

    /// <summary>Where the running call's output item will stand in the response's output, for its stream events.</summary>
    public int RunningOutputIndex { get; set; }

    /// <summary>The executor that holds this session's container, once one has claimed it.</summary>
    public string? ExecutorId { get; set; }
    public string? ContainerId { get; set; }

    /// <summary>The network the session's container is made with (null: none); fixed once it has a container.</summary>
    public NetworkPolicySpec? NetworkPolicy { get; set; }

    /// <summary>The memory the session's container is made with (<c>memory_limit</c>, in megabytes); null for the executors' default.</summary>
    public int? MemoryMb { get; set; }

    /// <summary>The sandbox image the session's container is made from, by the operator's name for it; null for the default.</summary>
    public string? Image { get; set; }

    /// <summary>The archive of the expired container's workspace, which the session's next container is restored from; null once it has one.</summary>
    public string? RestoreFrom { get; set; }

    /// <summary>The archive of the expired container's skills, taken with its workspace; null when it had none.</summary>
    public string? RestoreSkillsFrom { get; set; }

    /// <summary>The snapshot that archive is, shown as the new container's <c>restored_from</c>.</summary>
    public string? RestoredFrom { get; set; }

    /// <summary>The container is gone (its executor died, or it expired): the session can run nothing more.</summary>
    public string? ContainerLostCode { get; set; }

    /// <summary>
    /// When the active response fails with <c>timeout</c>: set when it starts, extended by each
    /// command's own timeout as its call is sent; null while no response is active.
    /// </summary>
    public DateTime? DeadlineAt { get; set; }

    /// <summary>When the running call was sent; with no executor alive since, a first call fails with <c>no_executor</c>.</summary>
    public DateTime? CallSentAt { get; set; }

    /// <summary>When the session was last saved; idle sessions expire from the store after the retention period.</summary>
    public DateTime UpdatedAt { get; set; }
}
