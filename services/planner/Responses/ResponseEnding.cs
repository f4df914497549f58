using Berth.Contracts;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Responses;

/// <summary>
/// Ends a response: its outcome, its terminal stream event, and <c>ResponseFinished</c> for the
/// api instances and webhooks. Its session ends it as a rule; a cancel or a fault that the
/// session cannot answer in time ends it here directly. The first outcome stored stands, and
/// every ending announces that one, so a client and a webhook receiver see one outcome however
/// many of them race.
/// </summary>
internal sealed class ResponseEnding(IResponseStore store, Conversations.IConversationStore conversations, ResponseEvents events, TimeProvider time, IOptions<PlannerOptions> options)
{
    /// <summary>Ends the response, keeping its stream events in <paramref name="batch"/>; returns the status that stands.</summary>
    public async Task<string> EndAsync(IPublishEndpoint publish, AnnouncementBatch batch, Guid sessionId, string responseId,
        string status, ResponseError? error, string? incompleteReason, CancellationToken cancellationToken)
    {
        var outcome = new ResponseOutcome(status, time.GetUtcNow(), error, incompleteReason);
        var standing = await store.FinishAsync(responseId, outcome, cancellationToken);
        if (standing == outcome)
        {
            PlannerTelemetry.ResponseFinished(status);
        }

        await events.StoreAsync(batch, responseId, [ResponseEvents.Terminal(standing.Status)], cancellationToken);

        // Read back once, as it now stands: for its conversation, and to travel whole if it is small.
        var ended = await store.FindAsync(responseId, cancellationToken);
        await AddToConversationAsync(ended, cancellationToken);

        var limit = options.Value.MaxFinishedTextChars;
        var finished = limit > 0 ? ended?.Snapshot : null;
        await publish.Publish(new ResponseFinished
        {
            SessionId = sessionId,
            ResponseId = responseId,
            Status = standing.Status,
            Response = finished is not null && OutputLimits.TextChars(finished) <= limit ? finished : null,
        }, cancellationToken);
        return standing.Status;
    }

    /// <summary>
    /// A conversation's response adds its input and output items to it as it ends, before its
    /// session takes the next response, which must see them. Every ending adds them, and the
    /// store keeps each item once.
    /// </summary>
    private async Task AddToConversationAsync(StoredResponse? ended, CancellationToken cancellationToken)
    {
        if (ended is not { Snapshot.ConversationId: { } conversationId })
        {
            return;
        }

        var output = ended.Snapshot.Output.Select(item => new InputMessage(InputMessage.OutputItem, "") { Id = item.Id, Item = item });
        await conversations.AppendAsync(conversationId, [.. ended.Input, .. output], cancellationToken);
    }

    /// <summary>Ends the response from outside its session's saga, announcing at once.</summary>
    public async Task<string> EndNowAsync(IPublishEndpoint publish, Guid sessionId, string responseId, string status, ResponseError? error,
        CancellationToken cancellationToken)
    {
        var batch = new AnnouncementBatch();
        var standing = await EndAsync(publish, batch, sessionId, responseId, status, error, null, cancellationToken);
        await batch.AnnounceAsync(publish, cancellationToken);
        return standing;
    }
}
