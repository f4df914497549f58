using Berth.Contracts;
using Berth.Planner.Approvals;

namespace Berth.UnitTests.Planner;

/// <summary>
/// Calls that wait for a person, through the session saga on the test harness: a turn runs up to
/// the first call that needs approval, its response pauses with the request, and the next
/// response's answer runs the call (or drops it) and lets the rest of the turn go on.
/// </summary>
public sealed class ApprovalFlowTests
{
    private static readonly ShellToolSpec RmNeedsApproval = new() { RequireApproval = ApprovalModes.Patterns, ApprovalPatterns = [@"\brm\b"] };

    [Fact]
    public async Task Should_run_the_calls_before_the_first_that_matches_and_pause_with_its_request_when_a_pattern_matches()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, first) = await PausedAsync(session);

        var response = await session.ResponseAsync(first);
        Assert.Equal(ResponseStatuses.Completed, response.Status);
        Assert.Equal(["shell_call", "shell_call_output", "shell_approval_request"], response.Output.Select(i => i.Type));
        var request = response.Output[^1];
        Assert.Equal((ApprovalGate.RequestId("call-rm"), "call-rm"), (request.Id, request.CallId));
        Assert.Equal(["rm -rf /mnt/data/build"], request.Commands);
        Assert.Empty(session.SentSoFar<ToolCallRequested>(m => m.Context.Message.CallId is "call-rm" or "call-after"));
        Assert.DoesNotContain(session.Model.Asked, asked => asked.ResponseId == first && asked.Step == 2);
        Assert.NotNull(await session.Sagas.Exists(sessionId, machine => machine.Idle));
    }

    [Fact]
    public async Task Should_run_the_approved_call_then_the_rest_of_its_turn_then_ask_the_model_when_the_next_response_approves()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, first) = await PausedAsync(session);

        var second = await session.QueueAsync(sessionId, previousResponseId: first, shell: RmNeedsApproval, input: [Answer("call-rm", approve: true)]);

        var approved = await session.NextToolCallAsync("call-rm");
        Assert.Equal(ApprovalGate.RequestId("call-rm"), approved.Context.Message.Approval?.RequestId);
        await session.ExecutorReportsAsync(sessionId, second, "call-rm");
        Assert.Null((await session.NextToolCallAsync("call-after")).Context.Message.Approval);
        await session.ExecutorReportsAsync(sessionId, second, "call-after");
        await session.NextModelCallAsync(second, 1);
        session.ModelSays(second, 1, "done");

        Assert.Equal(ResponseStatuses.Completed, (await session.FinishedAsync(second)).Status);
        var response = await session.ResponseAsync(second);
        Assert.Equal(["shell_call", "shell_call", "shell_call_output", "shell_call_output", "message"], response.Output.Select(i => i.Type));
        Assert.Equal(["call-rm", "call-after"], response.Output.Take(2).Select(i => i.CallId));
    }

    [Fact]
    public async Task Should_never_send_a_declined_call_and_go_on_with_the_rest_of_its_turn_when_the_next_response_declines()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, first) = await PausedAsync(session);

        var second = await session.QueueAsync(sessionId, previousResponseId: first, shell: RmNeedsApproval, input: [Answer("call-rm", approve: false)]);

        await session.NextToolCallAsync("call-after");
        Assert.Empty(session.SentSoFar<ToolCallRequested>(m => m.Context.Message.CallId == "call-rm"));
        await session.ExecutorReportsAsync(sessionId, second, "call-after");
        await session.NextModelCallAsync(second, 1);
        var response = await session.ResponseAsync(second);
        Assert.DoesNotContain(response.Output, i => i.CallId == "call-rm");
    }

    [Fact]
    public async Task Should_pause_again_when_a_held_call_after_the_approved_one_also_matches()
    {
        await using var session = await SessionHarness.StartAsync();
        var sessionId = Guid.NewGuid();
        var first = await session.QueueAsync(sessionId, shell: RmNeedsApproval);
        await session.NextModelCallAsync(first, 1);
        session.ModelSays(first, 1, null, SessionHarness.Call("call-rm-1", "rm a"), SessionHarness.Call("call-rm-2", "rm b"));
        await session.FinishedAsync(first);

        var second = await session.QueueAsync(sessionId, previousResponseId: first, shell: RmNeedsApproval, input: [Answer("call-rm-1", approve: true)]);
        await session.NextToolCallAsync("call-rm-1");
        await session.ExecutorReportsAsync(sessionId, second, "call-rm-1");

        Assert.Equal(ResponseStatuses.Completed, (await session.FinishedAsync(second)).Status);
        var response = await session.ResponseAsync(second);
        Assert.Equal(["shell_call", "shell_call_output", "shell_approval_request"], response.Output.Select(i => i.Type));
        Assert.Equal("call-rm-2", response.Output[^1].CallId);
    }

    [Fact]
    public async Task Should_pause_every_call_when_require_approval_is_always_and_the_operators_patterns_when_it_is_never()
    {
        await using var session = await SessionHarness.StartAsync(approvalPatterns: ["^git push"]);

        var always = await session.QueueAsync(Guid.NewGuid(), shell: new ShellToolSpec { RequireApproval = ApprovalModes.Always });
        await session.NextModelCallAsync(always, 1);
        session.ModelSays(always, 1, null, SessionHarness.Call("call-harmless", "echo hi"));

        var never = await session.QueueAsync(Guid.NewGuid(), shell: new ShellToolSpec { RequireApproval = ApprovalModes.Never });
        await session.NextModelCallAsync(never, 1);
        session.ModelSays(never, 1, null, SessionHarness.Call("call-push", "git push origin main"));

        Assert.Equal(ResponseItem.ShellApprovalRequest, await LastItemTypeAsync(session, always));
        Assert.Equal(ResponseItem.ShellApprovalRequest, await LastItemTypeAsync(session, never));
        Assert.Empty(session.SentSoFar<ToolCallRequested>());
    }

    [Fact]
    public async Task Should_drop_the_held_calls_and_fail_a_late_answer_when_another_response_starts_first()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, first) = await PausedAsync(session);

        var unanswering = await session.QueueAsync(sessionId, previousResponseId: first, shell: RmNeedsApproval);
        await session.NextModelCallAsync(unanswering, 1);
        session.ModelSays(unanswering, 1, "moving on");
        await session.FinishedAsync(unanswering);

        var late = await session.QueueAsync(sessionId, previousResponseId: first, shell: RmNeedsApproval, input: [Answer("call-rm", approve: true)]);

        Assert.Equal(ResponseStatuses.Failed, (await session.FinishedAsync(late)).Status);
        Assert.Equal(ErrorCodes.ApprovalNotPending, (await session.ResponseAsync(late)).Error?.Code);
        Assert.Empty(session.SentSoFar<ToolCallRequested>(m => m.Context.Message.CallId == "call-rm"));
    }

    /// <summary>A session whose first response ran <c>echo</c> and paused at <c>rm</c>, with one more call held behind it.</summary>
    private static async Task<(Guid SessionId, string ResponseId)> PausedAsync(SessionHarness session)
    {
        var sessionId = Guid.NewGuid();
        var first = await session.QueueAsync(sessionId, shell: RmNeedsApproval);
        await session.NextModelCallAsync(first, 1);
        session.ModelSays(first, 1, null,
            SessionHarness.Call("call-echo", "echo ok"), SessionHarness.Call("call-rm", "rm -rf /mnt/data/build"), SessionHarness.Call("call-after", "ls"));
        await session.NextToolCallAsync("call-echo");
        await session.ExecutorReportsAsync(sessionId, first, "call-echo");
        await session.FinishedAsync(first);
        return (sessionId, first);
    }

    private static async Task<string> LastItemTypeAsync(SessionHarness session, string responseId)
    {
        await session.FinishedAsync(responseId);
        return (await session.ResponseAsync(responseId)).Output[^1].Type;
    }

    private static InputMessage Answer(string callId, bool approve) =>
        new(InputMessage.ApprovalResponse, "") { Approval = new ApprovalDecision { RequestId = ApprovalGate.RequestId(callId), Approve = approve, Reason = "reviewed" } };
}
