using Berth.Contracts;
using Berth.Planner.Responses;
using MassTransit;

namespace Berth.UnitTests.Planner;

/// <summary>The intake: what it stores and what it tells others when it accepts a response.</summary>
public sealed class TaskSubmittedConsumerTests
{
    [Fact]
    public async Task Should_store_the_created_event_without_announcing_it_when_a_response_is_accepted()
    {
        await using var session = await SessionHarness.StartAsync();
        var responseId = $"resp_{Guid.NewGuid():N}";

        var reply = await session.Harness.GetRequestClient<TaskSubmitted>().GetResponse<TaskAccepted, TaskRejected>(new TaskSubmitted
        {
            ResponseId = responseId,
            Model = "scripted",
            Input = [new InputMessage("user", "hello")],
            SubmittedAt = DateTimeOffset.UtcNow,
        }, TestContext.Current.CancellationToken, RequestTimeout.After(s: 10));
        await session.NextModelCallAsync(responseId, 1);

        Assert.True(reply.Is(out Response<TaskAccepted>? _));
        var stored = await session.Store.ReadEventsAsync(responseId, -1, 10, CancellationToken.None);
        Assert.Equal([ResponseEvents.Created, ResponseEvents.InProgress], stored!.Select(e => e.Type));
        Assert.True(await session.Harness.Published.Any<ResponseEventsAppended>(m => m.Context.Message.ResponseId == responseId));
        Assert.DoesNotContain(session.Harness.Published.Select<ResponseEventsAppended>(m => m.Context.Message.ResponseId == responseId),
            announced => announced.Context.Message.Events.Any(e => e.Type == ResponseEvents.Created));
    }
}
