using Berth.Contracts;
using Berth.Planner.Containers;
using Berth.Planner.Conversations;
using Berth.Planner.Responses;
using Berth.Planner.Tenants;
using MassTransit;

namespace Berth.Planner.Intake;

/// <summary>
/// Places a submitted response on its session: a new session for a new conversation, the previous
/// response's session for a continuation, the conversation's for a response in a conversation, the
/// container's for a named container. Refuses what it cannot continue, as the api reports it.
/// </summary>
internal sealed class SessionPlacement(IResponseStore store, IContainerStore containers, SessionContainers sessionContainers, IConversationStore conversations,
    Snapshots.IWorkspaceSnapshotStore snapshots, TimeProvider time)
{
    public async Task<(Placement? Placement, TaskRejected? Rejected)> PlaceAsync(TaskSubmitted task, CancellationToken token)
    {
        var sessionId = NewId.NextGuid();
        StoredResponse? previous = null;
        if (task.PreviousResponseId is not null)
        {
            previous = await store.FindAsync(task.PreviousResponseId, token);
            if (previous is null || !Tenancy.Owns(previous.Snapshot.Tenant, task.Tenant) || !previous.Snapshot.Store)
            {
                return Refused(task, RequestErrorCodes.PreviousResponseNotFound, "previous_response_id", $"Previous response with id '{task.PreviousResponseId}' not found.");
            }

            // A fork continues the history in a session of its own.
            sessionId = task.Fork ? sessionId : previous.Snapshot.SessionId;
        }

        // A conversation's responses run one after another in its session, each continuing the
        // one before as along a previous_response_id chain; the history is its items.
        ConversationSnapshot? conversation = null;
        IReadOnlyList<InputMessage>? history = null;
        if (task.ConversationId is { } conversationId)
        {
            conversation = await conversations.FindAsync(conversationId, token);
            if (conversation is null || !Tenancy.Owns(conversation.Tenant, task.Tenant))
            {
                return Refused(task, RequestErrorCodes.InvalidValue, "conversation", $"Conversation with id '{conversationId}' not found.");
            }

            previous = conversation.LastResponseId is { } last ? await store.FindAsync(last, token) : null;
            sessionId = conversation.SessionId;
            history = await conversations.ListAsync(conversationId, null, int.MaxValue, oldestFirst: true, token);
        }

        if (previous?.Snapshot.Shell is { Environment: ShellEnvironments.Auto } before && task.Shell is { Environment: ShellEnvironments.Auto } now
            && ContainerMismatch(before, now, previous.Id) is { } mismatch)
        {
            return Refused(task, RequestErrorCodes.InvalidValue, "tools", mismatch);
        }

        // A continuation, along a chain or in a conversation, keeps its session's container from expiring while it waits.
        if ((previous is not null || conversation is not null) && !task.Fork && task.Shell is { Environment: ShellEnvironments.Auto })
        {
            await sessionContainers.TouchAsync(sessionId, task.SubmittedAt, token);
        }

        string? interrupts = null;
        if (task.Interrupt && previous is not null)
        {
            if (previous.Snapshot.Status == ResponseStatuses.Queued)
            {
                return Refused(task, RequestErrorCodes.InvalidValue, "interrupt",
                    $"Previous response '{previous.Id}' is queued, not running: there is nothing to interrupt. Cancel it, or continue it without 'interrupt'.");
            }

            // One that has finished already needs no interrupting: this is a plain continuation.
            interrupts = previous.Snapshot.Status == ResponseStatuses.InProgress ? previous.Id : null;
        }

        ContainerSnapshot? container = null;
        WorkspaceSnapshotInfo? kept = null;
        if (task.Shell is { Environment: ShellEnvironments.Reference, ContainerId: { } containerId })
        {
            container = await containers.FindAsync(containerId, token);
            if (container is not null && !Tenancy.Owns(container.Tenant, task.Tenant))
            {
                container = null;
            }

            // An expired container whose workspace was kept is made again, from there, by the response's first call.
            if (container is { Status: ContainerStatuses.Expired, KeptAs: { } keptAs }
                && await snapshots.FindAsync(keptAs, token) is { } snapshot && snapshot.ExpiresAt > time.GetUtcNow())
            {
                kept = snapshot;
            }

            var problem = container switch
            {
                null => (ErrorCodes.ContainerNotFound, $"Container with id '{containerId}' not found."),
                { Status: not ContainerStatuses.Running } when kept is null =>
                    (ErrorCodes.ContainerExpired, $"Container '{containerId}' is {container.Status}; its files are gone. Create a new container."),
                _ when task.PreviousResponseId is not null && container.SessionId != sessionId =>
                    (RequestErrorCodes.ContainerMismatch, $"Container '{containerId}' is not the container of previous response '{task.PreviousResponseId}'."),
                _ when conversation is not null && container.SessionId != sessionId =>
                    (RequestErrorCodes.ContainerMismatch, $"Container '{containerId}' is not the container of conversation '{conversation.Id}': a conversation's responses share the session's own container (container_auto)."),
                _ => ((string, string)?)null,
            };
            if (problem is var (code, message))
            {
                return Refused(task, code, "tools", message);
            }

            sessionId = container!.SessionId;
            await containers.TouchAsync(containerId, task.SubmittedAt, token);
        }

        return (new Placement(sessionId, previous, conversation, history, container, interrupts, task.Fork ? previous?.Snapshot.SessionId : null, kept), null);
    }

    private static (Placement?, TaskRejected?) Refused(TaskSubmitted task, string code, string param, string message) =>
        (null, new TaskRejected { ResponseId = task.ResponseId, Code = code, Param = param, Message = message });

    /// <summary>
    /// Why a continuation's <c>container_auto</c> cannot run in its session's container, which
    /// keeps the network, memory, skills and files it was made with; null if it can. A continuation
    /// may leave <c>memory_limit</c>, <c>image</c>, <c>skills</c> and <c>file_ids</c> out, or repeat them, not change them.
    /// </summary>
    private static string? ContainerMismatch(ShellToolSpec before, ShellToolSpec now, string previousId)
    {
        if (!Equals(before.NetworkPolicy, now.NetworkPolicy))
        {
            return $"The shell tool's network_policy ({now.NetworkPolicy?.ToKey() ?? "disabled"}) differs from the one of previous response '{previousId}' ({before.NetworkPolicy?.ToKey() ?? "disabled"}): a session's container keeps the network it was made with. Start a new conversation for another policy.";
        }

        if (now.Skills.Count > 0 && !now.Skills.Select(k => (k.Name, k.Description)).SequenceEqual(before.Skills.Select(k => (k.Name, k.Description))))
        {
            return $"The shell tool's skills differ from those of previous response '{previousId}': a session's container is made once, with the first response's skills. Start a new conversation for other skills.";
        }

        if (now.FileIds.Count > 0 && !now.FileIds.SequenceEqual(before.FileIds))
        {
            return $"The shell tool's file_ids differ from those of previous response '{previousId}': a session's container is made once, with the first response's files. Add files to it with POST /v1/containers/{{id}}/files and {{\"file_id\"}}.";
        }

        if (now.Image is { } image && before.Image != image)
        {
            return $"The shell tool's image ('{image}') differs from the one of previous response '{previousId}' ('{before.Image ?? SandboxImages.Default}'): a session's container keeps the image it was made from. Start a new conversation for another image.";
        }

        return now.MemoryMb is { } asked && before.MemoryMb != asked
            ? $"The shell tool's memory_limit ({asked / 1024}g) differs from the one of previous response '{previousId}' ({(before.MemoryMb is { } mb ? $"{mb / 1024}g" : "the default")}): a session's container keeps the memory it was made with. Start a new conversation for another limit."
            : null;
    }
}
