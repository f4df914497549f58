using System.Text.Json;
using Berth.Api.Containers;
using Berth.Api.Errors;
using Berth.Api.Responses;
using Berth.Api.Security;
using Berth.Contracts;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Api.Conversations;

/// <summary>
/// <c>/v1/conversations</c> and their items: the planner keeps them, tenant by tenant; this
/// reads the bodies, finds the files their items send, and writes OpenAI's shapes.
/// </summary>
internal sealed class ConversationsService(PlannerClient planner, InputFiles inputFiles, IOptions<ApiOptions> options, RequestTenant tenant, TimeProvider time)
{
    public async Task<IResult> CreateAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        var (body, invalid) = await JsonBody.ReadAsync(http, options.Value.MaxJsonBodyBytes, cancellationToken);
        if (body is null)
        {
            return invalid!.ToResult();
        }

        IReadOnlyList<InputMessage> items;
        IReadOnlyDictionary<string, string> metadata;
        using (body)
        {
            var (parsed, given, error) = ConversationRequests.ParseCreate(body.RootElement);
            if (error is not null)
            {
                return error.ToResult();
            }

            (items, metadata) = (parsed!, given!);
        }

        var (resolved, unusable) = await inputFiles.ResolveAsync(items, cancellationToken, root: "items");
        if (unusable is not null)
        {
            return unusable.ToResult();
        }

        var conversation = new ConversationSnapshot
        {
            Id = $"conv_{Guid.NewGuid():N}",
            CreatedAt = time.GetUtcNow(),
            Metadata = metadata,
            Tenant = tenant.Id,
            SessionId = NewId.NextGuid(),
        };
        var reply = await Client<CreateConversation>().GetResponse<ConversationSnapshot>(new CreateConversation(conversation, resolved!), cancellationToken);
        return Json(ConversationJson.Serialize(reply.Message));
    }

    public Task<IResult> GetAsync(string conversationId, CancellationToken cancellationToken) =>
        AnswerAsync(new GetConversation(conversationId) { Tenant = tenant.Id }, conversationId, ConversationJson.Serialize, cancellationToken);

    public async Task<IResult> UpdateAsync(string conversationId, HttpRequest http, CancellationToken cancellationToken)
    {
        var (body, invalid) = await JsonBody.ReadAsync(http, options.Value.MaxJsonBodyBytes, cancellationToken);
        if (body is null)
        {
            return invalid!.ToResult();
        }

        IReadOnlyDictionary<string, string> metadata;
        using (body)
        {
            var (given, error) = ConversationRequests.ParseUpdate(body.RootElement);
            if (error is not null)
            {
                return error.ToResult();
            }

            metadata = given!;
        }

        return await AnswerAsync(new UpdateConversation(conversationId, metadata) { Tenant = tenant.Id }, conversationId, ConversationJson.Serialize, cancellationToken);
    }

    public Task<IResult> DeleteAsync(string conversationId, CancellationToken cancellationToken) =>
        AnswerAsync(new DeleteConversation(conversationId) { Tenant = tenant.Id }, conversationId, deleted => ConversationJson.SerializeDeleted(deleted.Id), cancellationToken);

    /// <summary>Items in OpenAI's list shape, newest first unless <c>order=asc</c>, after an item id.</summary>
    public Task<IResult> ListItemsAsync(string conversationId, int? limit, string? order, string? after, IReadOnlyList<string> include, CancellationToken cancellationToken)
    {
        if ((Pagination.Validate(limit, order) ?? IncludeRefusal(include)) is { } invalid)
        {
            return Task.FromResult(invalid.ToResult());
        }

        if (after is not null && !InputItemsParser.IsItemId(after))
        {
            return Task.FromResult(ApiError.InvalidRequest($"Invalid 'after': expected the id of an item from a previous page (at most {InputItemsParser.MaxIdLength} letters, digits, '_' and '-').", "after", RequestErrorCodes.InvalidValue).ToResult());
        }

        var request = new ListConversationItems(conversationId) { Tenant = tenant.Id, Limit = limit ?? Pagination.DefaultLimit, After = after, OldestFirst = order == "asc" };
        return ItemsAsync(request, conversationId, cancellationToken);
    }

    public async Task<IResult> AddItemsAsync(string conversationId, HttpRequest http, IReadOnlyList<string> include, CancellationToken cancellationToken)
    {
        if (IncludeRefusal(include) is { } refused)
        {
            return refused.ToResult();
        }

        var (body, invalid) = await JsonBody.ReadAsync(http, options.Value.MaxJsonBodyBytes, cancellationToken);
        if (body is null)
        {
            return invalid!.ToResult();
        }

        IReadOnlyList<InputMessage> items;
        using (body)
        {
            var (parsed, error) = ConversationRequests.ParseAdd(body.RootElement);
            if (error is not null)
            {
                return error.ToResult();
            }

            items = parsed!;
        }

        var (resolved, unusable) = await inputFiles.ResolveAsync(items, cancellationToken, root: "items");
        return unusable is not null
            ? unusable.ToResult()
            : await ItemsAsync(new AddConversationItems(conversationId, resolved!) { Tenant = tenant.Id, BatchId = Guid.NewGuid() }, conversationId, cancellationToken);
    }

    public async Task<IResult> GetItemAsync(string conversationId, string itemId, IReadOnlyList<string> include, CancellationToken cancellationToken)
    {
        if (IncludeRefusal(include) is { } refused)
        {
            return refused.ToResult();
        }

        var reply = await Client<GetConversationItem>().GetResponse<ConversationItemList, ConversationNotFound>(
            new GetConversationItem(conversationId, itemId) { Tenant = tenant.Id }, cancellationToken);
        return reply.Is(out Response<ConversationItemList>? found)
            ? Json(ConversationJson.SerializeItem(found.Message.Items[0]))
            : NotFound(Missing(reply, conversationId));
    }

    public async Task<IResult> DeleteItemAsync(string conversationId, string itemId, CancellationToken cancellationToken)
    {
        var reply = await Client<DeleteConversationItem>().GetResponse<ConversationSnapshot, ConversationNotFound>(
            new DeleteConversationItem(conversationId, itemId) { Tenant = tenant.Id }, cancellationToken);
        return reply.Is(out Response<ConversationSnapshot>? found)
            ? Json(ConversationJson.Serialize(found.Message))
            : NotFound(Missing(reply, conversationId));
    }

    private async Task<IResult> ItemsAsync<T>(T request, string conversationId, CancellationToken cancellationToken) where T : class
    {
        var reply = await Client<T>().GetResponse<ConversationItemList, ConversationNotFound>(request, cancellationToken);
        return reply.Is(out Response<ConversationItemList>? found)
            ? Results.Bytes(Responses.ResponseJson.SerializeItems(found.Message.Items, found.Message.HasMore), "application/json")
            : NotFound(new ConversationNotFound(conversationId));
    }

    private async Task<IResult> AnswerAsync<T>(T request, string conversationId, Func<ConversationSnapshot, byte[]> write, CancellationToken cancellationToken) where T : class
    {
        var reply = await Client<T>().GetResponse<ConversationSnapshot, ConversationNotFound>(request, cancellationToken);
        return reply.Is(out Response<ConversationSnapshot>? found) ? Json(write(found.Message)) : NotFound(new ConversationNotFound(conversationId));
    }

    private IRequestClient<T> Client<T>() where T : class => planner.Ask<T>(Endpoints.ConversationsQueue);

    private static ApiError? IncludeRefusal(IReadOnlyList<string> include) =>
        include.Select(IncludeValues.Refusal).FirstOrDefault(refusal => refusal is not null) is { } refused
            ? ApiError.InvalidRequest(refused, "include", RequestErrorCodes.UnsupportedParameter)
            : null;

    private static ConversationNotFound Missing<T>(Response<T, ConversationNotFound> reply, string conversationId) where T : class =>
        reply.Is(out Response<ConversationNotFound>? missing) ? missing.Message : new ConversationNotFound(conversationId);

    private static IResult NotFound(ConversationNotFound missing) => ApiError.NotFound(missing.ItemId is { } item
        ? $"Item with id '{item}' not found in conversation '{missing.ConversationId}'."
        : $"Conversation with id '{missing.ConversationId}' not found.").ToResult();

    private static IResult Json(byte[] body) => Results.Bytes(body, "application/json");
}
