using Berth.Contracts;
using Berth.Planner.Intake;
using Berth.Planner.Tenants;
using MassTransit;

namespace Berth.Planner.Conversations;

/// <summary>
/// Keeps, finds, changes and deletes conversations and their items, for
/// <c>/v1/conversations</c>. A tenant sees only its own. Items get their ids here, derived from
/// the request, so one delivered again adds nothing new.
/// </summary>
internal sealed class ConversationConsumers(IConversationStore store)
    : IConsumer<CreateConversation>, IConsumer<GetConversation>, IConsumer<UpdateConversation>, IConsumer<DeleteConversation>,
        IConsumer<AddConversationItems>, IConsumer<ListConversationItems>, IConsumer<GetConversationItem>, IConsumer<DeleteConversationItem>
{
    public async Task Consume(ConsumeContext<CreateConversation> context)
    {
        var conversation = context.Message.Conversation with { Tenant = Tenancy.Of(context.Message.Conversation.Tenant) };
        await store.AddAsync(conversation, InputItems.WithIds(conversation.Id, context.Message.Items), context.CancellationToken);
        await context.RespondAsync(await store.FindAsync(conversation.Id, context.CancellationToken) ?? conversation);
    }

    public async Task Consume(ConsumeContext<GetConversation> context) =>
        await RespondAsync(context, await FindAsync(context.Message.ConversationId, context.Message.Tenant, context.CancellationToken), context.Message.ConversationId);

    public async Task Consume(ConsumeContext<UpdateConversation> context)
    {
        var found = await FindAsync(context.Message.ConversationId, context.Message.Tenant, context.CancellationToken);
        var updated = found is null ? null : await store.SetMetadataAsync(found.Id, context.Message.Metadata, context.CancellationToken);
        await RespondAsync(context, updated, context.Message.ConversationId);
    }

    public async Task Consume(ConsumeContext<DeleteConversation> context)
    {
        var found = await FindAsync(context.Message.ConversationId, context.Message.Tenant, context.CancellationToken);
        var removed = found is null ? null : await store.RemoveAsync(found.Id, context.CancellationToken);
        await RespondAsync(context, removed, context.Message.ConversationId);
    }

    public async Task Consume(ConsumeContext<AddConversationItems> context)
    {
        var request = context.Message;
        if (await FindAsync(request.ConversationId, request.Tenant, context.CancellationToken) is null)
        {
            await context.RespondAsync(new ConversationNotFound(request.ConversationId));
            return;
        }

        var items = InputItems.WithIds($"{request.ConversationId}/{request.BatchId:N}", request.Items);
        await store.AppendAsync(request.ConversationId, items, context.CancellationToken);
        await context.RespondAsync(new ConversationItemList(items, HasMore: false));
    }

    public async Task Consume(ConsumeContext<ListConversationItems> context)
    {
        var request = context.Message;
        if (await FindAsync(request.ConversationId, request.Tenant, context.CancellationToken) is null)
        {
            await context.RespondAsync(new ConversationNotFound(request.ConversationId));
            return;
        }

        var page = await store.ListAsync(request.ConversationId, request.After, request.Limit + 1, request.OldestFirst, context.CancellationToken);
        await context.RespondAsync(new ConversationItemList([.. page.Take(request.Limit)], page.Count > request.Limit));
    }

    public async Task Consume(ConsumeContext<GetConversationItem> context)
    {
        var request = context.Message;
        var item = await FindAsync(request.ConversationId, request.Tenant, context.CancellationToken) is null
            ? null
            : await store.FindItemAsync(request.ConversationId, request.ItemId, context.CancellationToken);
        if (item is null)
        {
            await context.RespondAsync(new ConversationNotFound(request.ConversationId) { ItemId = request.ItemId });
            return;
        }

        await context.RespondAsync(new ConversationItemList([item], HasMore: false));
    }

    public async Task Consume(ConsumeContext<DeleteConversationItem> context)
    {
        var request = context.Message;
        var found = await FindAsync(request.ConversationId, request.Tenant, context.CancellationToken);
        if (found is null || !await store.RemoveItemAsync(found.Id, request.ItemId, context.CancellationToken))
        {
            await context.RespondAsync(new ConversationNotFound(request.ConversationId) { ItemId = found is null ? null : request.ItemId });
            return;
        }

        await context.RespondAsync(found);
    }

    private async Task<ConversationSnapshot?> FindAsync(string conversationId, string? tenant, CancellationToken cancellationToken) =>
        await store.FindAsync(conversationId, cancellationToken) is { } conversation && Tenancy.Owns(conversation.Tenant, tenant) ? conversation : null;

    private static Task RespondAsync<T>(ConsumeContext<T> context, ConversationSnapshot? conversation, string conversationId) where T : class =>
        conversation is not null ? context.RespondAsync(conversation) : context.RespondAsync(new ConversationNotFound(conversationId));
}
