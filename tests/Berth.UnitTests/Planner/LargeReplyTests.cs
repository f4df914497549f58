using Berth.Contracts;
using Berth.Planner.Responses;
using Berth.ServiceDefaults.Payloads;
using MassTransit;

namespace Berth.UnitTests.Planner;

/// <summary>
/// Replies that grow with a response's output: the output, or an event page, goes through the
/// payload store once it no longer fits a message, and an event page stops at its text budget.
/// </summary>
public sealed class LargeReplyTests
{
    private const int InlineBytes = 16 * 1024;

    [Fact]
    public async Task Should_answer_with_the_output_in_the_payload_store_when_it_outgrows_a_message()
    {
        await using var session = await SessionHarness.StartAsync(inlinePayloadBytes: InlineBytes);
        var responseId = await session.StoreAsync(Guid.NewGuid());
        var text = new string('x', 3 * InlineBytes);
        await session.Store.AppendItemAsync(responseId, new ResponseItem { Id = "msg_1", Type = ResponseItem.Message, Text = text }, CancellationToken.None);

        var reply = await session.Harness.GetRequestClient<GetResponse>()
            .GetResponse<ResponseSnapshot, ResponseNotFound>(new GetResponse(responseId), TestContext.Current.CancellationToken);

        Assert.True(reply.Is(out Response<ResponseSnapshot>? found));
        Assert.Empty(found.Message.Output);
        Assert.NotNull(found.Message.OutputAddress);
        var taken = await session.Payloads.TakeOutputAsync(found.Message, CancellationToken.None);
        Assert.Equal(text, Assert.Single(taken.Output).Text);
        Assert.Null(taken.OutputAddress);

        // Taken once: the reader deletes it.
        await Assert.ThrowsAsync<MessageDataNotFoundException>(() => session.Payloads.OpenAsync(found.Message.OutputAddress!, CancellationToken.None));
    }

    [Fact]
    public async Task Should_carry_the_models_answer_through_the_payload_store_when_it_outgrows_a_message()
    {
        await using var session = await SessionHarness.StartAsync(inlinePayloadBytes: InlineBytes);
        var (_, responseId) = await session.BeginAsync();
        var text = new string('y', 3 * InlineBytes);

        session.ModelSays(responseId, 1, text);

        Assert.Equal(ResponseStatuses.Completed, (await session.FinishedAsync(responseId)).Status);
        var answered = Assert.Single(session.SentSoFar<ModelAnswered>(m => m.Context.Message.ResponseId == responseId)).Context.Message;
        Assert.Null(answered.Turn);
        Assert.NotNull(answered.TurnAddress);
        Assert.Equal(text, Assert.Single((await session.ResponseAsync(responseId)).Output).Text);
    }

    [Fact]
    public async Task Should_answer_with_the_output_inline_when_it_fits_a_message()
    {
        await using var session = await SessionHarness.StartAsync(inlinePayloadBytes: InlineBytes);
        var responseId = await session.StoreAsync(Guid.NewGuid());
        await session.Store.AppendItemAsync(responseId, new ResponseItem { Id = "msg_1", Type = ResponseItem.Message, Text = "small" }, CancellationToken.None);

        var reply = await session.Harness.GetRequestClient<GetResponse>()
            .GetResponse<ResponseSnapshot, ResponseNotFound>(new GetResponse(responseId), TestContext.Current.CancellationToken);

        Assert.True(reply.Is(out Response<ResponseSnapshot>? found));
        Assert.Null(found.Message.OutputAddress);
        Assert.Equal("small", Assert.Single(found.Message.Output).Text);
        Assert.Empty(Directory.EnumerateFiles(session.PayloadDirectory, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Should_cut_an_event_page_at_its_text_budget_and_say_more_follow_when_events_are_large()
    {
        await using var session = await SessionHarness.StartAsync(inlinePayloadBytes: InlineBytes);
        var responseId = await session.StoreAsync(Guid.NewGuid());
        var delta = new string('y', 1_500_000);
        await session.Store.AppendEventsAsync(responseId, [.. Enumerable.Range(0, 4).Select(i =>
            new KeyedEvent($"delta-{i}", new ResponseStreamEvent { SequenceNumber = 0, Type = "response.output_text.delta", Text = delta }))], CancellationToken.None);
        var events = session.Harness.GetRequestClient<GetResponseEvents>();

        var first = await ReadPageAsync(session, events, responseId, after: -1);
        var second = await ReadPageAsync(session, events, responseId, after: first.Events[^1].SequenceNumber);

        // 4,000,000 characters a page: two of these events, then the other two.
        Assert.Equal(2, first.Events.Count);
        Assert.True(first.HasMore);
        Assert.Equal(2, second.Events.Count);
        Assert.False(second.HasMore);
        Assert.All(first.Events.Concat(second.Events), e => Assert.Equal(delta, e.Text));
    }

    [Fact]
    public async Task Should_leave_an_event_out_of_its_announcement_and_keep_the_later_ones_when_its_text_is_too_large()
    {
        await using var session = await SessionHarness.StartAsync();
        var batch = new AnnouncementBatch();
        batch.Add("resp_big", [
            new ResponseStreamEvent { SequenceNumber = 5, Type = "response.output_text.delta", Text = "small" },
            new ResponseStreamEvent { SequenceNumber = 6, Type = "response.output_text.delta", Text = new string('z', (int)AnnouncementBatch.MaxAnnouncedChars) },
            new ResponseStreamEvent { SequenceNumber = 7, Type = "response.completed", Status = ResponseStatuses.Completed },
        ]);

        await batch.AnnounceAsync(session.Harness.Bus, CancellationToken.None);

        // Event 6 is left for the store: the gap before 7 sends every stream there.
        var announced = Assert.Single(session.PublishedSoFar<ResponseEventsAppended>(m => m.Context.Message.ResponseId == "resp_big"));
        Assert.Equal([5, 7], announced.Context.Message.Events.Select(e => e.SequenceNumber));
    }

    private static async Task<ResponseEventList> ReadPageAsync(SessionHarness session, IRequestClient<GetResponseEvents> events, string responseId, int after)
    {
        var reply = await events.GetResponse<ResponseEventList, ResponseNotFound>(new GetResponseEvents { ResponseId = responseId, After = after },
            TestContext.Current.CancellationToken);
        Assert.True(reply.Is(out Response<ResponseEventList>? page));
        Assert.NotNull(page.Message.EventsAddress);
        return await session.Payloads.TakeEventsAsync(page.Message, CancellationToken.None);
    }
}
