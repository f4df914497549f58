using Berth.Contracts;
using MassTransit;

namespace Berth.UnitTests.Planner;

/// <summary>A cancel on the planner's shared endpoint: answered at once, never held while the session gets to it.</summary>
public sealed class CancelResponseConsumerTests
{
    [Fact]
    public async Task Should_answer_at_once_and_ask_the_session_when_its_response_has_not_finished()
    {
        await using var session = await SessionHarness.StartAsync();
        var sessionId = Guid.NewGuid();
        var responseId = await session.StoreAsync(sessionId);
        var client = session.Harness.GetRequestClient<CancelResponse>();

        var answer = await client.GetResponse<ResponseSnapshot, ResponseNotFound>(new CancelResponse(responseId), TestContext.Current.CancellationToken);

        // The session never hears of this response, so only an answer that did not wait for it is "queued".
        Assert.True(answer.Is(out Response<ResponseSnapshot>? snapshot));
        Assert.Equal(ResponseStatuses.Queued, snapshot.Message.Status);
        Assert.True(await session.Harness.Published.Any<ResponseCancelRequested>(m => m.Context.Message.ResponseId == responseId && m.Context.Message.SessionId == sessionId,
            TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Should_end_the_response_cancelled_in_the_store_when_asked_to_end_it_now()
    {
        await using var session = await SessionHarness.StartAsync();
        var responseId = await session.StoreAsync(Guid.NewGuid());
        var client = session.Harness.GetRequestClient<CancelResponse>();

        var answer = await client.GetResponse<ResponseSnapshot, ResponseNotFound>(new CancelResponse(responseId) { EndNow = true }, TestContext.Current.CancellationToken);

        Assert.True(answer.Is(out Response<ResponseSnapshot>? snapshot));
        Assert.Equal(ResponseStatuses.Cancelled, snapshot.Message.Status);
        Assert.Equal(ResponseStatuses.Cancelled, (await session.ResponseAsync(responseId)).Status);
    }

    [Fact]
    public async Task Should_answer_not_found_when_another_tenant_asks()
    {
        await using var session = await SessionHarness.StartAsync();
        var responseId = await session.StoreAsync(Guid.NewGuid());
        var client = session.Harness.GetRequestClient<CancelResponse>();

        var answer = await client.GetResponse<ResponseSnapshot, ResponseNotFound>(new CancelResponse(responseId) { Tenant = "other", EndNow = true }, TestContext.Current.CancellationToken);

        Assert.True(answer.Is(out Response<ResponseNotFound>? _));
        Assert.Equal(ResponseStatuses.Queued, (await session.ResponseAsync(responseId)).Status);
    }
}
