using Berth.Contracts;
using Berth.Planner.Conversations;
using Berth.Planner.Model;
using Berth.Planner.Responses;
using Berth.Planner.Tenants;
using Berth.ServiceDefaults.Payloads;
using MassTransit;

namespace Berth.Planner.Intake;

/// <summary>
/// Stores a submitted response and queues it on the session <see cref="SessionPlacement"/> chose for
/// it. Answers the api, which waits for this before it tells the client the response exists.
/// </summary>
internal sealed class TaskSubmittedConsumer(
    IResponseStore store,
    SessionPlacement sessionPlacement,
    ForkSeeds forkSeeds,
    TenantAdmission admission,
    PayloadStore payloads,
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

        var (placement, refused) = await sessionPlacement.PlaceAsync(task, token);
        if (refused is not null)
        {
            await context.RespondAsync(refused);
            return;
        }

        var (sessionId, previous, conversation, history, container, interrupts, forkOf, kept) = placement!;
        if ((InputItems.FunctionOutputProblem(previous?.Snapshot, input, history) ?? InputItems.ApprovalProblem(previous?.Snapshot, input)) is { } outputProblem)
        {
            await context.RespondAsync(new TaskRejected { ResponseId = task.ResponseId, Code = RequestErrorCodes.InvalidValue, Param = "input", Message = outputProblem });
            return;
        }

        input = InputItems.StampApprovals(input, Tenancy.Of(task.Tenant), task.SubmittedAt);
        WorkspaceSnapshotTaken? forkFiles = null;
        if (forkOf is { } parent && task.Shell is { Environment: ShellEnvironments.Auto })
        {
            (forkFiles, var notForked) = await forkSeeds.TakeAsync(parent, task.ResponseId, token);
            if (notForked is not null)
            {
                await context.RespondAsync(notForked);
                return;
            }
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
            Shell = container is not null ? NamedContainerShell(task.Shell!, container, kept)
                : task.Shell is { Environment: ShellEnvironments.Auto } && previous?.Snapshot.Shell is { Environment: ShellEnvironments.Auto } first
                    ? task.Shell with
                    {
                        MemoryMb = task.Shell.MemoryMb ?? first.MemoryMb,
                        Image = task.Shell.Image ?? first.Image,
                        FileIds = first.FileIds,

                        // A fork's workspace starts as a copy of its parent's, which holds the files already
                        // (as they are now); its skills come from the parent's, archived with them.
                        Files = forkFiles is null ? first.Files : [],
                        Skills = first.Skills,
                        RestoreFrom = forkFiles?.Address,
                        RestoreSkillsFrom = forkFiles?.Skills,
                    }
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

        var refusal = await admission.AdmitResponseAsync(Tenancy.Of(task.Tenant), sessionId, makesContainer: task.Shell is { Environment: ShellEnvironments.Auto } || kept is not null,
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
            ExecutorId = kept is null ? container?.ExecutorId : null,
            ContainerId = kept is null ? container?.DockerContainerId : null,
            Interrupts = interrupts,
        });
        await context.RespondAsync(new TaskAccepted { Response = snapshot });
    }

    /// <summary>
    /// The shell tool of a response that names a container: the container's network, and its skills,
    /// which the model is told of; and, for one that expired with its workspace kept, all it is
    /// made again with by the response's first call.
    /// </summary>
    private static ShellToolSpec NamedContainerShell(ShellToolSpec shell, ContainerSnapshot container, WorkspaceSnapshotInfo? kept) => kept is null
        ? shell with { NetworkPolicy = container.NetworkPolicy, Skills = container.Skills }
        : shell with
        {
            NetworkPolicy = container.NetworkPolicy,
            MemoryMb = container.MemoryMb,
            Image = container.Image,
            Skills = container.Skills,
            IdleMinutes = container.IdleMinutes,
            RestoreFrom = kept.Address,
            RestoreSkillsFrom = kept.Skills,
            RestoredFrom = kept.Id,
        };

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
}
