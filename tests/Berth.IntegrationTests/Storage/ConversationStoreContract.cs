using Berth.Contracts;
using Berth.IntegrationTests.Fixtures;
using Berth.Planner.Conversations;
using Berth.Planner.Mongo;

namespace Berth.IntegrationTests.Storage;

/// <summary>What every conversation store must do: in memory always, MongoDB wherever one is reachable.</summary>
public abstract class ConversationStoreContract
{
    private protected abstract IConversationStore CreateStore();

    private static ConversationSnapshot Conversation() => new()
    {
        Id = $"conv_{Guid.NewGuid():N}",
        CreatedAt = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000),
        Metadata = new Dictionary<string, string> { ["topic"] = "plans" },
        Tenant = "acme",
        SessionId = Guid.NewGuid(),
    };

    private static InputMessage Message(string id, string text) => new("user", text) { Id = id };

    private static InputMessage Output(string id) =>
        new(InputMessage.OutputItem, "") { Id = id, Item = new ResponseItem { Id = id, Type = ResponseItem.ShellCallOutput, CallId = "call_1", Outputs = [new CommandOutput { Stdout = "hi\n", ExitCode = 0 }] } };

    [Fact]
    public async Task Should_keep_find_change_and_remove_a_conversation_with_every_field()
    {
        var store = CreateStore();
        var conversation = Conversation();
        await store.AddAsync(conversation, [Message("msg_1", "first")], CancellationToken.None);
        await store.SetLastResponseAsync(conversation.Id, "resp_1", CancellationToken.None);
        var changed = await store.SetMetadataAsync(conversation.Id, new Dictionary<string, string> { ["topic"] = "other" }, CancellationToken.None);

        var found = await store.FindAsync(conversation.Id, CancellationToken.None);
        Assert.Equal((conversation.Id, conversation.CreatedAt, conversation.Tenant, conversation.SessionId, "resp_1"), (found!.Id, found.CreatedAt, found.Tenant, found.SessionId, found.LastResponseId));
        Assert.Equal("other", found.Metadata!["topic"]);
        Assert.Equal("other", changed!.Metadata!["topic"]);
        Assert.Null(await store.SetMetadataAsync("conv_missing", new Dictionary<string, string>(), CancellationToken.None));

        Assert.Equal(conversation.Id, (await store.RemoveAsync(conversation.Id, CancellationToken.None))?.Id);
        Assert.Null(await store.FindAsync(conversation.Id, CancellationToken.None));
        Assert.Empty(await store.ListAsync(conversation.Id, null, 10, oldestFirst: true, CancellationToken.None));
        Assert.Null(await store.RemoveAsync(conversation.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Should_keep_items_in_the_order_added_each_once_and_page_them_either_way()
    {
        var store = CreateStore();
        var conversation = Conversation();
        await store.AddAsync(conversation, [Message("msg_a", "a"), Message("msg_b", "b")], CancellationToken.None);

        var added = await store.AppendAsync(conversation.Id, [Message("msg_b", "b again"), Output("sho_c"), Message("msg_d", "d")], CancellationToken.None);
        var again = await store.AppendAsync(conversation.Id, [Output("sho_c"), Message("msg_d", "d")], CancellationToken.None);

        Assert.Equal(["sho_c", "msg_d"], added.Select(i => i.Id));
        Assert.Empty(again);
        var all = await store.ListAsync(conversation.Id, null, 100, oldestFirst: true, CancellationToken.None);
        Assert.Equal(["msg_a", "msg_b", "sho_c", "msg_d"], all.Select(i => i.Id));
        Assert.Equal("b", all[1].Text);
        Assert.Equal(Output("sho_c").Item!.Outputs, all[2].Item!.Outputs);
        Assert.Equal(["msg_d", "sho_c"], (await store.ListAsync(conversation.Id, null, 2, oldestFirst: false, CancellationToken.None)).Select(i => i.Id));
        Assert.Equal(["msg_b", "msg_a"], (await store.ListAsync(conversation.Id, "sho_c", 5, oldestFirst: false, CancellationToken.None)).Select(i => i.Id));
        Assert.Equal(["sho_c", "msg_d"], (await store.ListAsync(conversation.Id, "msg_b", 5, oldestFirst: true, CancellationToken.None)).Select(i => i.Id));
        Assert.Empty(await store.ListAsync(conversation.Id, "msg_unknown", 5, oldestFirst: true, CancellationToken.None));
    }

    [Fact]
    public async Task Should_find_and_remove_one_item_of_one_conversation_only()
    {
        var store = CreateStore();
        var one = Conversation();
        var other = Conversation();
        await store.AddAsync(one, [Message("msg_same", "one's")], CancellationToken.None);
        await store.AddAsync(other, [Message("msg_same", "other's")], CancellationToken.None);

        Assert.Equal("one's", (await store.FindItemAsync(one.Id, "msg_same", CancellationToken.None))?.Text);
        Assert.True(await store.RemoveItemAsync(one.Id, "msg_same", CancellationToken.None));
        Assert.False(await store.RemoveItemAsync(one.Id, "msg_same", CancellationToken.None));
        Assert.Null(await store.FindItemAsync(one.Id, "msg_same", CancellationToken.None));
        Assert.Equal("other's", (await store.FindItemAsync(other.Id, "msg_same", CancellationToken.None))?.Text);
        Assert.Empty(await store.AppendAsync("conv_missing", [Message("msg_x", "x")], CancellationToken.None));
    }
}

public sealed class InMemoryConversationStoreTests : ConversationStoreContract
{
    private protected override IConversationStore CreateStore() => new InMemoryConversationStore();
}

public sealed class MongoConversationStoreTests(MongoFixture mongo) : ConversationStoreContract, IClassFixture<MongoFixture>
{
    private protected override IConversationStore CreateStore() => new MongoConversationStore(mongo.NewDatabase());
}
