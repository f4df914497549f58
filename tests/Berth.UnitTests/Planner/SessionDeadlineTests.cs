using Berth.Contracts;
using Berth.Planner.Responses;

namespace Berth.UnitTests.Planner;

/// <summary>What ends a response that would otherwise wait for ever: its deadline, a step that broke, no executor.</summary>
public sealed class SessionDeadlineTests
{
    [Fact]
    public async Task Should_fail_with_timeout_and_stop_the_call_when_the_response_runs_past_its_deadline()
    {
        await using var session = await SessionHarness.StartAsync();
        session.Executors.Heard("exec-1");
        var (sessionId, responseId) = await session.BeginAsync();
        session.ModelSays(responseId, 1, null, new ShellCallSpec { CallId = "call-1", Commands = ["sleep 100"], TimeoutMs = 120_000 });
        await session.NextToolCallAsync("call-1");

        // The command's own two minutes extend the hour: just past the hour, the response still runs.
        session.Clock.Advance(TimeSpan.FromMinutes(61));
        session.Executors.Heard("exec-1");
        Assert.Empty(await session.Watchdog.SweepAsync(CancellationToken.None));

        session.Clock.Advance(TimeSpan.FromMinutes(1.5));
        Assert.Equal([responseId], await session.Watchdog.SweepAsync(CancellationToken.None));

        Assert.Equal(ResponseStatuses.Failed, (await session.FinishedAsync(responseId)).Status);
        Assert.Equal(ErrorCodes.Timeout, (await session.ResponseAsync(responseId)).Error?.Code);
        Assert.True(await session.Harness.Published.Any<ToolCallCancelled>(m => m.Context.Message.CallId == "call-1"));
        Assert.NotNull(await session.Sagas.Exists(sessionId, machine => machine.Idle));
    }

    [Fact]
    public async Task Should_not_count_time_queued_behind_another_response_against_the_deadline()
    {
        await using var session = await SessionHarness.StartAsync();
        session.Executors.Heard("exec-1");
        var (sessionId, first) = await session.BeginAsync();
        session.ModelSays(first, 1, null, SessionHarness.Call("call-1", "sleep 3000"));
        await session.NextToolCallAsync("call-1");
        var second = await session.QueueAsync(sessionId, previousResponseId: first);
        Assert.True(await session.Harness.Consumed.Any<ResponseQueued>(m => m.Context.Message.ResponseId == second));

        session.Clock.Advance(TimeSpan.FromMinutes(50));
        session.Executors.Heard("exec-1");
        session.ModelSays(first, 2, "done");
        session.ModelSays(second, 1, null, SessionHarness.Call("call-2", "sleep 3000"));
        await session.ExecutorReportsAsync(sessionId, first, "call-1");
        await session.FinishedAsync(first);
        await session.NextToolCallAsync("call-2");

        session.Clock.Advance(TimeSpan.FromMinutes(50));
        Assert.Empty(await session.Watchdog.SweepAsync(CancellationToken.None));

        session.Clock.Advance(TimeSpan.FromMinutes(11));
        await session.Watchdog.SweepAsync(CancellationToken.None);
        Assert.Equal(ResponseStatuses.Failed, (await session.FinishedAsync(second)).Status);
        Assert.Equal(ErrorCodes.Timeout, (await session.ResponseAsync(second)).Error?.Code);
    }

    [Fact]
    public async Task Should_fail_the_response_and_run_the_next_when_a_step_fails_past_its_retries()
    {
        await using var session = await SessionHarness.StartAsync();
        session.Executors.Heard("exec-1");
        var (sessionId, first) = await session.BeginAsync();
        session.ModelSays(first, 1, null, SessionHarness.Call("call-1", "true"));
        await session.NextToolCallAsync("call-1");
        var second = await session.QueueAsync(sessionId, previousResponseId: first);
        Assert.True(await session.Harness.Consumed.Any<ResponseQueued>(m => m.Context.Message.ResponseId == second));

        // The next response's first answer is ready, so the step that ends this one does not wait on the model.
        session.ModelSays(second, 1, "next one runs");

        // A result with no outputs list at all, as a broken executor might send: the step throws on every try.
        await session.Harness.Bus.Publish(new ToolCallCompleted
        {
            SessionId = sessionId,
            ResponseId = first,
            CallId = "call-1",
            ExecutorId = "exec-1",
            Outputs = null!,
        });

        Assert.True(await session.Harness.Published.Any<MassTransit.Fault<ToolCallCompleted>>());
        Assert.Equal(ResponseStatuses.Failed, (await session.FinishedAsync(first)).Status);
        Assert.Equal(ErrorCodes.ServerError, (await session.ResponseAsync(first)).Error?.Code);
        Assert.Equal(ResponseStatuses.Completed, (await session.FinishedAsync(second)).Status);
    }

    [Fact]
    public async Task Should_fail_with_no_executor_at_once_when_none_has_been_heard_from()
    {
        await using var session = await SessionHarness.StartAsync();
        session.Clock.Advance(TimeSpan.FromSeconds(31));
        var (_, responseId) = await session.BeginAsync();

        session.ModelSays(responseId, 1, null, SessionHarness.Call("call-1", "true"));

        Assert.Equal(ResponseStatuses.Failed, (await session.FinishedAsync(responseId)).Status);
        Assert.Equal(ErrorCodes.NoExecutor, (await session.ResponseAsync(responseId)).Error?.Code);
        Assert.Empty(session.SentSoFar<ToolCallRequested>());
    }

    [Fact]
    public async Task Should_send_the_first_call_when_an_executor_was_heard_from_recently()
    {
        await using var session = await SessionHarness.StartAsync();
        session.Clock.Advance(TimeSpan.FromSeconds(31));
        session.Executors.Heard("exec-1");
        var (_, responseId) = await session.BeginAsync();

        session.ModelSays(responseId, 1, null, SessionHarness.Call("call-1", "true"));

        await session.NextToolCallAsync("call-1");
        Assert.Equal(ResponseStatuses.InProgress, (await session.ResponseAsync(responseId)).Status);
    }

    [Fact]
    public async Task Should_fail_a_waiting_first_call_with_no_executor_when_every_executor_falls_silent()
    {
        await using var session = await SessionHarness.StartAsync();
        session.Executors.Heard("exec-1");
        var (_, responseId) = await session.BeginAsync();
        session.ModelSays(responseId, 1, null, SessionHarness.Call("call-1", "true"));
        await session.NextToolCallAsync("call-1");

        session.Clock.Advance(TimeSpan.FromSeconds(31));
        await session.Watchdog.SweepAsync(CancellationToken.None);

        Assert.Equal(ResponseStatuses.Failed, (await session.FinishedAsync(responseId)).Status);
        Assert.Equal(ErrorCodes.NoExecutor, (await session.ResponseAsync(responseId)).Error?.Code);
    }
}
