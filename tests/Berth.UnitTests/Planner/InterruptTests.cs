using Berth.Contracts;

namespace Berth.UnitTests.Planner;

/// <summary>
/// <c>interrupt: true</c> through the session saga on the test harness: the running response
/// ends cancelled at once, whatever it was doing, and the interrupting one starts in its place,
/// ahead of responses already waiting.
/// </summary>
public sealed class InterruptTests
{
    [Fact]
    public async Task Should_cancel_the_running_call_and_start_the_new_response_at_once_when_it_interrupts_a_running_command()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, running) = await session.BeginAsync();
        session.ModelSays(running, 1, null, SessionHarness.Call("call-sleep", "sleep 60"));
        await session.NextToolCallAsync("call-sleep");

        var redirect = await session.QueueAsync(sessionId, previousResponseId: running, interrupts: running);

        Assert.Equal(ResponseStatuses.Cancelled, (await session.FinishedAsync(running)).Status);
        Assert.True(await session.Harness.Published.Any<ToolCallCancelled>(m => m.Context.Message.CallId == "call-sleep"));
        await session.NextModelCallAsync(redirect, 1);
        Assert.NotNull(await session.Sagas.Exists(sessionId, machine => machine.Thinking));

        // The cancelled call's late report belongs to a response that has ended: it changes nothing.
        await session.ExecutorReportsAsync(sessionId, running, "call-sleep");
        session.ModelSays(redirect, 1, "redirected");
        Assert.Equal(ResponseStatuses.Completed, (await session.FinishedAsync(redirect)).Status);
        Assert.Equal(ResponseStatuses.Cancelled, (await session.ResponseAsync(running)).Status);
    }

    [Fact]
    public async Task Should_drop_the_model_call_in_flight_and_start_before_responses_already_waiting_when_it_interrupts_a_thinking_response()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, running) = await session.BeginAsync();
        var waiting = await session.QueueAsync(sessionId, previousResponseId: running);
        Assert.True(await session.Harness.Consumed.Any<ResponseQueued>(m => m.Context.Message.ResponseId == waiting));

        var redirect = await session.QueueAsync(sessionId, previousResponseId: running, interrupts: running);

        await session.Model.CancelledAsync(running, 1);
        Assert.Equal(ResponseStatuses.Cancelled, (await session.FinishedAsync(running)).Status);
        await session.NextModelCallAsync(redirect, 1);
        Assert.Equal(0, session.Model.TimesAsked(waiting, 1));
        session.ModelSays(redirect, 1, "redirected");

        Assert.Equal(ResponseStatuses.Completed, (await session.FinishedAsync(redirect)).Status);
        await session.NextModelCallAsync(waiting, 1);
    }

    [Fact]
    public async Task Should_queue_behind_the_running_response_when_the_one_it_names_is_not_the_running_one()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, running) = await session.BeginAsync();

        var late = await session.QueueAsync(sessionId, interrupts: "resp_finished_long_ago");
        Assert.True(await session.Harness.Consumed.Any<ResponseQueued>(m => m.Context.Message.ResponseId == late));

        Assert.Equal(ResponseStatuses.InProgress, (await session.ResponseAsync(running)).Status);
        Assert.Equal(0, session.Model.TimesAsked(late, 1));
        session.ModelSays(running, 1, "done");
        await session.NextModelCallAsync(late, 1);
    }
}
