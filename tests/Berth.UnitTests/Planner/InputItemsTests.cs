using Berth.Contracts;
using Berth.Planner.Intake;

namespace Berth.UnitTests.Planner;

/// <summary>The intake's check of call outputs against the calls made, and the ids it gives input items.</summary>
public sealed class InputItemsTests
{
    private static ResponseSnapshot Previous(string status, params string[] functionCalls) => new()
    {
        Id = "resp_1",
        SessionId = Guid.Empty,
        Status = status,
        Model = "m",
        Output = [.. functionCalls.Select(c => new ResponseItem { Id = $"fc_{c}", Type = ResponseItem.FunctionCall, CallId = c, Name = "f", Arguments = "{}" })],
    };

    private static InputMessage Answer(string callId) => new(InputMessage.Tool, "ok") { CallId = callId };

    private static InputMessage Resent(string type, string callId) => new(InputMessage.OutputItem, "") { Item = new ResponseItem { Id = "", Type = type, CallId = callId } };

    [Fact]
    public void Should_accept_outputs_of_calls_the_client_sends_back_before_them_when_there_is_no_previous_response()
    {
        Assert.Null(InputItems.FunctionOutputProblem(null,
            [Resent(ResponseItem.FunctionCall, "f1"), Answer("f1"), Resent(ResponseItem.ShellCall, "s1"), Resent(ResponseItem.ShellCallOutput, "s1")]));
    }

    [Fact]
    public void Should_refuse_an_output_that_comes_before_its_call()
    {
        Assert.Equal("No tool call found for function call output with call_id f1.",
            InputItems.FunctionOutputProblem(null, [Answer("f1"), Resent(ResponseItem.FunctionCall, "f1")]));
        Assert.Equal("No tool call found for shell call output with call_id s1.",
            InputItems.FunctionOutputProblem(null, [Resent(ResponseItem.ShellCallOutput, "s1")]));
    }

    [Fact]
    public void Should_refuse_a_call_sent_back_without_its_output_and_a_previous_call_left_unanswered()
    {
        Assert.Equal("No tool output found for function call f2.",
            InputItems.FunctionOutputProblem(null, [Resent(ResponseItem.FunctionCall, "f2"), new InputMessage("user", "hi")]));
        Assert.Equal("No tool output found for function call f1.",
            InputItems.FunctionOutputProblem(Previous(ResponseStatuses.Completed, "f1"), [new InputMessage("user", "hi")]));
        Assert.Null(InputItems.FunctionOutputProblem(Previous(ResponseStatuses.Completed, "f1"), [Answer("f1")]));
        Assert.Null(InputItems.FunctionOutputProblem(Previous(ResponseStatuses.InProgress), [Answer("anything")]));
    }

    [Fact]
    public void Should_owe_only_the_calls_a_conversations_items_leave_unanswered_when_the_response_is_in_a_conversation()
    {
        IReadOnlyList<InputMessage> history = [Resent(ResponseItem.FunctionCall, "f1"), Answer("f1"), Resent(ResponseItem.FunctionCall, "f2")];

        Assert.Equal("No tool output found for function call f2.", InputItems.FunctionOutputProblem(null, [new InputMessage("user", "next")], history));
        Assert.Null(InputItems.FunctionOutputProblem(null, [Answer("f2")], history));
        Assert.Equal("No tool call found for function call output with call_id f3.", InputItems.FunctionOutputProblem(null, [Answer("f2"), Answer("f3")], history));
    }

    [Fact]
    public void Should_give_the_same_ids_again_and_keep_the_clients_own()
    {
        InputMessage[] input = [new("user", "hi"), new("user", "again") { Id = "msg_mine" }, Resent(ResponseItem.FunctionCall, "f1"), Answer("f1")];

        var first = InputItems.WithIds("resp_1", input);
        var again = InputItems.WithIds("resp_1", input);

        Assert.Equal(first.Select(i => i.Id), again.Select(i => i.Id));
        Assert.Equal("msg_mine", first[1].Id);
        Assert.StartsWith("msg_", first[0].Id, StringComparison.Ordinal);
        Assert.StartsWith("fc_", first[2].Id, StringComparison.Ordinal);
        Assert.Equal(first[2].Id, first[2].Item!.Id);
        Assert.StartsWith("fco_", first[3].Id, StringComparison.Ordinal);
        Assert.NotEqual(first[0].Id, InputItems.WithIds("resp_2", input)[0].Id);
    }

    private static ResponseSnapshot Paused(string requestId) => new()
    {
        Id = "resp_paused",
        SessionId = Guid.Empty,
        Status = ResponseStatuses.Completed,
        Model = "m",
        Output = [new ResponseItem { Id = requestId, Type = ResponseItem.ShellApprovalRequest, CallId = "call_1", Commands = ["git push"] }],
    };

    private static InputMessage Approval(string requestId) =>
        new(InputMessage.ApprovalResponse, "") { Approval = new ApprovalDecision { RequestId = requestId, Approve = true } };

    [Fact]
    public void Should_accept_one_answer_to_the_request_the_previous_response_paused_for()
    {
        Assert.Null(InputItems.ApprovalProblem(Paused("sar_1"), [Approval("sar_1")]));
        Assert.Null(InputItems.ApprovalProblem(null, [new InputMessage("user", "hi")]));
    }

    [Fact]
    public void Should_refuse_a_continuation_that_leaves_the_request_unanswered()
    {
        var problem = InputItems.ApprovalProblem(Paused("sar_1"), [new InputMessage("user", "carry on")]);

        Assert.Contains("waits for approval", problem, StringComparison.Ordinal);
        Assert.Contains("sar_1", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_an_answer_to_a_request_that_does_not_wait_or_more_than_one_answer()
    {
        Assert.Contains("not found", InputItems.ApprovalProblem(Paused("sar_1"), [Approval("sar_forged")]), StringComparison.Ordinal);
        Assert.Contains("not found", InputItems.ApprovalProblem(Paused("sar_1") with { Output = [] }, [Approval("sar_1")]), StringComparison.Ordinal);
        Assert.Contains("not found", InputItems.ApprovalProblem(null, [Approval("sar_1")]), StringComparison.Ordinal);
        Assert.Contains("Only one", InputItems.ApprovalProblem(Paused("sar_1"), [Approval("sar_1"), Approval("sar_1")]), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_mark_each_answer_with_the_tenant_and_time_it_was_given()
    {
        var at = DateTimeOffset.Parse("2026-12-03T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        var stamped = InputItems.StampApprovals([new InputMessage("user", "x"), Approval("sar_1")], "acme", at);

        Assert.Null(stamped[0].Approval);
        Assert.Equal(("acme", at), (stamped[1].Approval!.DecidedBy, stamped[1].Approval!.DecidedAt));
    }
}
