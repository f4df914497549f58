using Berth.Contracts;
using Berth.Planner.Containers;
using Berth.Planner.Conversations;
using Berth.Planner.Model;
using Berth.Planner.Responses;
using Berth.Planner.Tenants;
using Berth.ServiceDefaults.Payloads;
using MassTransit;

namespace Berth.Planner.Intake;

/// <summary>
/// Stores a submitted response and queues it on its session: a new session for a new
/// conversation, the previous response's session for a continuation. Answers the api, which
/// waits for this before it tells the client the response exists.
/// </summary>
public sealed class TaskSubmittedConsumer(IResponseStore store, IContainerStore containers, SessionContainers sessionContainers, TenantAdmission admission, PayloadStore payloads,
    ContextCheck contextCheck,
    ModelFiles modelFiles,
    IConversationStore conversations,
    CompactionSeal seal)
    : IConsumer<TaskSubmitted>
{
    public async Task Consume(ConsumeContext<TaskSubmitted> context)
    {
        var task = context.Message;
        var token = context.CancellationToken;

        var existing = await store.FindAsync(task.ResponseId, token);
        if (existing is not null)
        {
            // A redelivered submission. Queue it again if it may not have been: the session
            // ignores a response it already holds, and a stored response must never stay queued.
            if (existing.Snapshot.Status == ResponseStatuses.Queued)
            {
                await context.Publish(new ResponseQueued { SessionId = existing.Snapshot.SessionId, ResponseId = existing.Id, MaxToolCalls = existing.Snapshot.MaxToolCalls });
            }

            await context.RespondAsync(new TaskAccepted { Response = await payloads.OffloadOutputAsync(existing.Snapshot, token) });
            return;
        }

        var (resolved, unresolved) = await ResolveReferencesAsync(task, token);
        if (unresolved is not null)
        {
            await context.RespondAsync(new TaskRejected { ResponseId = task.ResponseId, Code = RequestErrorCodes.InvalidValue, Param = "input", Message = $"Item with id '{unresolved}' not found." });
            return;
        }

        var (input, unopened) = seal.OpenItems(resolved, task.Tenant);
        if (unopened is not null)
        {
            await context.RespondAsync(new TaskRejected { ResponseId = task.ResponseId, Code = RequestErrorCodes.InvalidEncryptedContent, Param = "input", Message = unopened });
            return;
        }

        var sessionId = NewId.NextGuid();
        StoredResponse? previous = null;
        if (task.PreviousResponseId is not null)
        {
            previous = await store.FindAsync(task.PreviousResponseId, token);
            if (previous is null || !Tenancy.Owns(previous.Snapshot.Tenant, task.Tenant) || !previous.Snapshot.Store)
            {
                await context.RespondAsync(new TaskRejected
                {
                    ResponseId = task.ResponseId,
                    Code = RequestErrorCodes.PreviousResponseNotFound,
                    Param = "previous_response_id",
                    Message = $"Previous response with id '{task.PreviousResponseId}' not found.",
                });
                return;
            }

            sessionId = previous.Snapshot.SessionId;
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
                await context.RespondAsync(new TaskRejected { ResponseId = task.ResponseId, Code = RequestErrorCodes.InvalidValue, Param = "conversation", Message = $"Conversation with id '{conversationId}' not found." });
                return;
            }

            previous = conversation.LastResponseId is { } last ? await store.FindAsync(last, token) : null;
            sessionId = conversation.SessionId;
            history = await conversations.ListAsync(conversationId, null, int.MaxValue, oldestFirst: true, token);
        }

        if (previous?.Snapshot.Shell is { Environment: ShellEnvironments.Auto } before && task.Shell is { Environment: ShellEnvironments.Auto } now
            && ContainerMismatch(before, now, previous.Id) is { } mismatch)
        {
            await context.RespondAsync(new TaskRejected { ResponseId = task.ResponseId, Code = RequestErrorCodes.InvalidValue, Param = "tools", Message = mismatch });
            return;
        }

        // A continuation, along a chain or in a conversation, keeps its session's container from expiring while it waits.
        if ((previous is not null || conversation is not null) && task.Shell is { Environment: ShellEnvironments.Auto })
        {
            await sessionContainers.TouchAsync(sessionId, task.SubmittedAt, token);
        }

        if ((InputItems.FunctionOutputProblem(previous?.Snapshot, input, history) ?? InputItems.ApprovalProblem(previous?.Snapshot, input)) is { } outputProblem)
        {
            await context.RespondAsync(new TaskRejected { ResponseId = task.ResponseId, Code = RequestErrorCodes.InvalidValue, Param = "input", Message = outputProblem });
            return;
        }

        input = InputItems.StampApprovals(input, Tenancy.Of(task.Tenant), task.SubmittedAt);
        string? interrupts = null;
        if (task.Interrupt && previous is not null)
        {
            if (previous.Snapshot.Status == ResponseStatuses.Queued)
            {
                await context.RespondAsync(new TaskRejected
                {
                    ResponseId = task.ResponseId,
                    Code = RequestErrorCodes.InvalidValue,
                    Param = "interrupt",
                    Message = $"Previous response '{previous.Id}' is queued, not running: there is nothing to interrupt. Cancel it, or continue it without 'interrupt'.",
                });
                return;
            }

            // One that has finished already needs no interrupting: this is a plain continuation.
            interrupts = previous.Snapshot.Status == ResponseStatuses.InProgress ? previous.Id : null;
        }

        ContainerSnapshot? container = null;
        if (task.Shell is { Environment: ShellEnvironments.Reference, ContainerId: { } containerId })
        {
            container = await containers.FindAsync(containerId, token);
            if (container is not null && !Tenancy.Owns(container.Tenant, task.Tenant))
            {
                container = null;
            }

            var problem = container switch
            {
                null => (ErrorCodes.ContainerNotFound, $"Container with id '{containerId}' not found."),
                { Status: not ContainerStatuses.Running } => (ErrorCodes.ContainerExpired, $"Container '{containerId}' is {container.Status}; its files are gone. Create a new container."),
                _ when task.PreviousResponseId is not null && container.SessionId != sessionId =>
                    (RequestErrorCodes.ContainerMismatch, $"Container '{containerId}' is not the container of previous response '{task.PreviousResponseId}'."),
                _ when conversation is not null && container.SessionId != sessionId =>
                    (RequestErrorCodes.ContainerMismatch, $"Container '{containerId}' is not the container of conversation '{conversation.Id}': a conversation's responses share the session's own container (container_auto)."),
                _ => ((string, string)?)null,
            };
            if (problem is var (code, message))
            {
                await context.RespondAsync(new TaskRejected { ResponseId = task.ResponseId, Code = code, Param = "tools", Message = message });
                return;
            }

            sessionId = container!.SessionId;
            await containers.TouchAsync(containerId, task.SubmittedAt, token);
        }

        var snapshot = new ResponseSnapshot
        {
            Id = task.ResponseId,
            SessionId = sessionId,
            Status = ResponseStatuses.Queued,
            Model = task.Model,
            Instructions = task.Instructions,
            PreviousResponseId = task.PreviousResponseId,
            ConversationId = task.ConversationId,
            Shell = container is not null ? task.Shell! with { NetworkPolicy = container.NetworkPolicy }
                : task.Shell is { Environment: ShellEnvironments.Auto } && previous?.Snapshot.Shell is { Environment: ShellEnvironments.Auto } first
                    ? task.Shell with { MemoryMb = task.Shell.MemoryMb ?? first.MemoryMb, FileIds = first.FileIds, Files = first.Files, Skills = first.Skills }
                : task.Shell,
            MaxToolCalls = task.MaxToolCalls,
            Functions = task.Functions,
            ToolChoice = task.ToolChoice,
            ParallelToolCalls = task.ParallelToolCalls,
            Settings = task.Settings,
            Metadata = task.Metadata,
            Background = task.Background,
            Store = task.Store,
            Stream = task.Stream,
            CreatedAt = task.SubmittedAt,
            Tenant = Tenancy.Of(task.Tenant),

            // The consume span continues the api request's trace, so this is the trace of the whole run.
            TraceId = System.Diagnostics.Activity.Current?.TraceId.ToHexString(),
        };

        if (await ContextProblemAsync(snapshot, input, conversation is null ? previous : null, history, token) is { } unfit)
        {
            await context.RespondAsync(unfit);
            return;
        }

        var refusal = await admission.AdmitResponseAsync(Tenancy.Of(task.Tenant), sessionId, makesContainer: task.Shell is { Environment: ShellEnvironments.Auto },
            () => store.TryAddAsync(new StoredResponse(snapshot, input), token), token);
        if (refusal is not null)
        {
            await context.RespondAsync(new TaskRejected { ResponseId = task.ResponseId, Code = refusal.Code, Message = refusal.Message });
            return;
        }

        if (conversation is not null)
        {
            await conversations.SetLastResponseAsync(conversation.Id, task.ResponseId, token);
        }

        // Stored, not announced: nobody can be following a response before it is accepted (a
        // stream starts once the reply is in, and reads the store first), so an announcement
        // would be a message every api instance takes for nothing.
        await store.AppendEventsAsync(task.ResponseId, [ResponseEvents.Lifecycle(StreamEventTypes.Created, ResponseStatuses.Queued)], token);
        await context.Publish(new ResponseQueued
        {
            SessionId = sessionId,
            ResponseId = task.ResponseId,
            MaxToolCalls = task.MaxToolCalls,
            ExecutorId = container?.ExecutorId,
            ContainerId = container?.DockerContainerId,
            Interrupts = interrupts,
        });
        await context.RespondAsync(new TaskAccepted { Response = snapshot });
    }

    /// <summary>
    /// Where the catalog gives the model a context window: why the conversation the response
    /// starts with does not fit, or cannot be put together (a file it sends was deleted), as its
    /// first model call would find; null when it fits.
    /// </summary>
    private async Task<TaskRejected?> ContextProblemAsync(ResponseSnapshot snapshot, IReadOnlyList<InputMessage> input, StoredResponse? previous,
        IReadOnlyList<InputMessage>? history, CancellationToken token)
    {
        if (!contextCheck.Applies(snapshot.Model))
        {
            return null;
        }

        IReadOnlyList<StoredResponse> chain = [.. previous is null ? [] : await store.GetChainAsync(previous.Id, token), new StoredResponse(snapshot, input)];
        if (history is not null)
        {
            chain = [ConversationHistory.AsResponse(snapshot, history), .. chain];
        }

        var (files, gone) = await modelFiles.LoadAsync(chain, token);
        if (files is null)
        {
            return new TaskRejected { ResponseId = snapshot.Id, Code = RequestErrorCodes.InvalidValue, Param = "input", Message = gone! };
        }

        var conversation = Conversation.Build(chain, files);
        return contextCheck.Fit(snapshot, conversation, ChatOptions.For(snapshot, 1)).Problem is { } tooLong
            ? new TaskRejected { ResponseId = snapshot.Id, Code = ErrorCodes.ContextLengthExceeded, Param = "input", Message = tooLong }
            : null;
    }

    /// <summary>
    /// The input with ids given and every <c>item_reference</c> replaced by the item it names, of
    /// this tenant's; or the first id that names none.
    /// </summary>
    private async Task<(IReadOnlyList<InputMessage> Input, string? Unresolved)> ResolveReferencesAsync(TaskSubmitted task, CancellationToken token)
    {
        var input = new List<InputMessage>(task.Input.Count);
        foreach (var item in task.Input)
        {
            if (item.Role != InputMessage.Reference)
            {
                input.Add(item);
                continue;
            }

            var found = await store.FindItemAsync(item.Id!, token);
            if (found is not { Stored: true } || !Tenancy.Owns(found.Tenant, task.Tenant))
            {
                return ([], item.Id);
            }

            input.Add(found.Item);
        }

        return (InputItems.WithIds(task.ResponseId, input), null);
    }

    /// <summary>
    /// Why a continuation's <c>container_auto</c> cannot run in its session's container, which
    /// keeps the network, memory, skills and files it was made with; null if it can. A continuation
    /// may leave <c>memory_limit</c>, <c>skills</c> and <c>file_ids</c> out, or repeat them, not change them.
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

        return now.MemoryMb is { } asked && before.MemoryMb != asked
            ? $"The shell tool's memory_limit ({asked / 1024}g) differs from the one of previous response '{previousId}' ({(before.MemoryMb is { } mb ? $"{mb / 1024}g" : "the default")}): a session's container keeps the memory it was made with. Start a new conversation for another limit."
            : null;
    }
}
