using Berth.Contracts;
using Berth.Planner.Conversations;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.UnitTests.Planner;

/// <summary>The planner's side of <c>/v1/conversations</c>, through the harness: who sees a conversation, and items added once.</summary>
public sealed class ConversationConsumersTests : IAsyncDisposable
{
    private readonly InMemoryConversationStore _store = new();
    private readonly ServiceProvider _provider;

    public ConversationConsumersTests() =>
        _provider = new ServiceCollection()
            .AddSingleton<IConversationStore>(_store)
            .AddMassTransitTestHarness(bus => bus.AddConsumer<ConversationConsumers>())
            .BuildServiceProvider(validateScopes: true);

    public ValueTask DisposeAsync() => _provider.DisposeAsync();

    private async Task<ITestHarness> HarnessAsync()
    {
        var harness = _provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        return harness;
    }

    [Fact]
    public async Task Should_show_a_conversation_and_its_items_only_to_the_tenant_that_made_it()
    {
        var harness = await HarnessAsync();
        var conversation = new ConversationSnapshot { Id = $"conv_{Guid.NewGuid():N}", Tenant = "acme", SessionId = Guid.NewGuid() };
        await harness.GetRequestClient<CreateConversation>().GetResponse<ConversationSnapshot>(new CreateConversation(conversation, [new InputMessage("user", "secret")]), TestContext.Current.CancellationToken);

        var own = await harness.GetRequestClient<GetConversation>().GetResponse<ConversationSnapshot, ConversationNotFound>(new GetConversation(conversation.Id) { Tenant = "acme" }, TestContext.Current.CancellationToken);
        var other = await harness.GetRequestClient<GetConversation>().GetResponse<ConversationSnapshot, ConversationNotFound>(new GetConversation(conversation.Id) { Tenant = "globex" }, TestContext.Current.CancellationToken);
        var otherItems = await harness.GetRequestClient<ListConversationItems>().GetResponse<ConversationItemList, ConversationNotFound>(
            new ListConversationItems(conversation.Id) { Tenant = "globex" }, TestContext.Current.CancellationToken);
        var otherDelete = await harness.GetRequestClient<DeleteConversation>().GetResponse<ConversationSnapshot, ConversationNotFound>(new DeleteConversation(conversation.Id) { Tenant = "globex" }, TestContext.Current.CancellationToken);

        Assert.True(own.Is(out Response<ConversationSnapshot>? _));
        Assert.True(other.Is(out Response<ConversationNotFound>? _));
        Assert.True(otherItems.Is(out Response<ConversationNotFound>? _));
        Assert.True(otherDelete.Is(out Response<ConversationNotFound>? _));
        Assert.NotNull(await _store.FindAsync(conversation.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Should_add_items_once_when_the_same_request_is_delivered_twice()
    {
        var harness = await HarnessAsync();
        var conversation = new ConversationSnapshot { Id = $"conv_{Guid.NewGuid():N}", SessionId = Guid.NewGuid() };
        await harness.GetRequestClient<CreateConversation>().GetResponse<ConversationSnapshot>(new CreateConversation(conversation, []), TestContext.Current.CancellationToken);
        var add = new AddConversationItems(conversation.Id, [new InputMessage("user", "one"), new InputMessage("user", "two")]) { BatchId = Guid.NewGuid() };

        var first = await harness.GetRequestClient<AddConversationItems>().GetResponse<ConversationItemList>(add, TestContext.Current.CancellationToken);
        var again = await harness.GetRequestClient<AddConversationItems>().GetResponse<ConversationItemList>(add, TestContext.Current.CancellationToken);
        var other = await harness.GetRequestClient<AddConversationItems>().GetResponse<ConversationItemList>(add with { BatchId = Guid.NewGuid() }, TestContext.Current.CancellationToken);

        Assert.Equal(first.Message.Items.Select(i => i.Id), again.Message.Items.Select(i => i.Id));
        Assert.NotEqual(first.Message.Items.Select(i => i.Id), other.Message.Items.Select(i => i.Id));
        Assert.Equal(["one", "two", "one", "two"], (await _store.ListAsync(conversation.Id, null, 10, oldestFirst: true, CancellationToken.None)).Select(i => i.Text));
    }
}
