using System.ClientModel;
using Berth.Contracts;
using Berth.Planner.Conversations;
using Berth.Planner.Intake;
using Berth.Planner.Responses;
using Berth.Planner.Tenants;
using MassTransit;

namespace Berth.Planner.Model;

/// <summary>
/// <c>POST /v1/responses/compact</c>: the chain of the previous response (with its
/// conversation's items), then the input, summarised into one compaction item; the user's
/// messages come back as they were, before it. Nothing is stored: the client carries on by
/// sending the output as input.
/// </summary>
internal sealed partial class CompactConversationConsumer(IResponseStore store, ChatModels models, ConversationHistory history,
    CompactionSeal seal, Compactor compactor, ILogger<CompactConversationConsumer> logger) : IConsumer<CompactConversation>
{
    /// <summary>The request for the summary holds at most three quarters of this, for a model whose window the catalog does not give.</summary>
    public const int DefaultBudget = 100_000;

    public async Task Consume(ConsumeContext<CompactConversation> context)
    {
        var request = context.Message;
        var token = context.CancellationToken;
        if (models.For(request.Model) is not { } route)
        {
            await RejectAsync(context, RequestErrorCodes.ModelNotFound, "model", $"The model '{request.Model}' is not in this deployment's model catalog.");
            return;
        }

        IReadOnlyList<StoredResponse> chain = [];
        if (request.PreviousResponseId is { } previousId)
        {
            var previous = await store.FindAsync(previousId, token);
            if (previous is null || !Tenancy.Owns(previous.Snapshot.Tenant, request.Tenant) || !previous.Snapshot.Store)
            {
                await RejectAsync(context, RequestErrorCodes.PreviousResponseNotFound, "previous_response_id", $"Previous response with id '{previousId}' not found.");
                return;
            }

            chain = await history.PrependAsync(await store.GetChainAsync(previousId, token), token);
        }

        var (input, unopened) = seal.OpenItems(InputItems.WithIds(request.Id, request.Input), request.Tenant);
        if (unopened is not null)
        {
            await RejectAsync(context, RequestErrorCodes.InvalidEncryptedContent, "input", unopened);
            return;
        }

        var snapshot = new ResponseSnapshot
        {
            Id = request.Id,
            SessionId = Guid.Empty,
            Status = ResponseStatuses.Completed,
            Model = request.Model,
            Instructions = request.Instructions,
            Tenant = Tenancy.Of(request.Tenant),
        };
        chain = [.. chain, new StoredResponse(snapshot, input)];
        var budget = route.ContextTokens ?? DefaultBudget;
        try
        {
            var (item, usage) = await compactor.CompactAllAsync(route.Chat, chain, Ids.Stable("cmp", request.Id), budget, token);
            var users = chain.SelectMany(r => r.Input).Where(i => i.Role == "user");
            await context.RespondAsync(new ConversationCompacted
            {
                Id = request.Id,
                CreatedAt = request.CreatedAt,
                Output = [.. users, new InputMessage(InputMessage.OutputItem, "") { Id = item.Id, Item = item }],
                Usage = usage,
            });
        }
        catch (ClientResultException e)
        {
            LogModelError(request.Id, e.Status, e.Message);
            await RejectAsync(context, ErrorCodes.ModelRequestRejected, null, $"The model endpoint answered HTTP {e.Status} when asked for the summary. {Berth.ServiceDefaults.LogPointer.InTheLog("planner")}");
        }
    }

    private static Task RejectAsync(ConsumeContext<CompactConversation> context, string code, string? param, string message) =>
        context.RespondAsync(new TaskRejected { ResponseId = context.Message.Id, Code = code, Param = param, Message = message });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compaction {Id} failed with status {Status}: {Error}")]
    private partial void LogModelError(string id, int status, string error);
}
