using Berth.Contracts;
using Berth.Planner.Responses;
using MassTransit;

namespace Berth.Planner.Intake;

/// <summary>
/// Stores a submitted response and queues it on its session: a new session for a new
/// conversation, the previous response's session for a continuation. Answers the api, which
/// waits for this before it tells the client the response exists.
/// </summary>
public sealed class TaskSubmittedConsumer(IResponseStore store) : IConsumer<TaskSubmitted>
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
            if (existing.Snapshot.Status == ResponseStatus.Queued)
            {
                await context.Publish(new ResponseQueued { SessionId = existing.Snapshot.SessionId, ResponseId = existing.Id, MaxToolCalls = existing.Snapshot.MaxToolCalls });
            }

            await context.RespondAsync(new TaskAccepted { Response = existing.Snapshot });
            return;
        }

        var sessionId = NewId.NextGuid();
        if (task.PreviousResponseId is not null)
        {
            var previous = await store.FindAsync(task.PreviousResponseId, token);
            if (previous is null)
            {
                await context.RespondAsync(new TaskRejected
                {
                    ResponseId = task.ResponseId,
                    Code = "previous_response_not_found",
                    Param = "previous_response_id",
                    Message = $"Previous response with id '{task.PreviousResponseId}' not found.",
                });
                return;
            }

            sessionId = previous.Snapshot.SessionId;
        }

        if (task.Shell?.Environment == "container_reference")
        {
            await context.RespondAsync(new TaskRejected
            {
                ResponseId = task.ResponseId,
                Code = "container_not_found",
                Param = "tools",
                Message = $"Container with id '{task.Shell.ContainerId}' not found.",
            });
            return;
        }

        var snapshot = new ResponseSnapshot
        {
            Id = task.ResponseId,
            SessionId = sessionId,
            Status = ResponseStatus.Queued,
            Model = task.Model,
            Instructions = task.Instructions,
            PreviousResponseId = task.PreviousResponseId,
            Shell = task.Shell,
            MaxToolCalls = task.MaxToolCalls,
            Metadata = task.Metadata,
            Background = task.Background,
            CreatedAt = task.SubmittedAt,
        };

        await store.TryAddAsync(new StoredResponse(snapshot, task.Input), token);
        await context.Publish(new ResponseQueued { SessionId = sessionId, ResponseId = task.ResponseId, MaxToolCalls = task.MaxToolCalls });
        await context.RespondAsync(new TaskAccepted { Response = snapshot });
    }
}
