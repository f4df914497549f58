using Berth.Contracts;
using Berth.Planner.Model;
using Berth.Planner.Responses;

namespace Berth.UnitTests.Planner;

public sealed class SessionStateMachineTests
{
    [Fact]
    public async Task Should_call_the_model_when_a_response_is_queued()
    {
        await using var session = await SessionHarness.StartAsync();
        var sessionId = Guid.NewGuid();

        var responseId = await session.QueueAsync(sessionId);

        Assert.Equal(sessionId, await session.NextModelCallAsync(responseId, step: 1));
        Assert.Equal(ResponseStatuses.InProgress, (await session.ResponseAsync(responseId)).Status);
    }

    [Fact]
    public async Task Should_send_the_first_call_to_the_pool_and_later_calls_to_the_executor_that_took_the_session()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();

        session.ModelSays(responseId, 1, null, SessionHarness.Call("call-a", "echo a"));
        var first = await session.NextToolCallAsync("call-a");
        Assert.Equal(Endpoints.Executors, first.Context.DestinationAddress, UriTail.Comparer);

        await session.ExecutorReportsAsync(sessionId, responseId, "call-a", executorId: "exec-7");
        await session.NextModelCallAsync(responseId, 2);
        session.ModelSays(responseId, 2, null, SessionHarness.Call("call-b", "echo b"));

        var second = await session.NextToolCallAsync("call-b");
        Assert.Equal(Endpoints.Executor("exec-7"), second.Context.DestinationAddress, UriTail.Comparer);
    }

    [Fact]
    public async Task Should_complete_with_calls_outputs_and_message_in_order_when_the_model_stops_calling_tools()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();

        session.ModelSays(responseId, 1, null, SessionHarness.Call("call-1", "echo one"), SessionHarness.Call("call-2", "echo two"));
        await session.NextToolCallAsync("call-1");
        await session.ExecutorReportsAsync(sessionId, responseId, "call-1", stdout: "one\n");
        await session.NextToolCallAsync("call-2");
        await session.ExecutorReportsAsync(sessionId, responseId, "call-2", stdout: "two\n");
        await session.NextModelCallAsync(responseId, 2);
        session.ModelSays(responseId, 2, "done");

        var finished = await session.FinishedAsync(responseId);
        Assert.Equal(ResponseStatuses.Completed, finished.Status);
        var response = await session.ResponseAsync(responseId);
        Assert.Equal(
            ["shell_call", "shell_call", "shell_call_output", "shell_call_output", "message"],
            response.Output.Select(i => i.Type));
        Assert.Equal(["call-1", "call-2", "call-1", "call-2"], response.Output.Take(4).Select(i => i.CallId));
        Assert.All(response.Output.Where(i => i.Type == ResponseItem.ShellCall), call => Assert.Equal("completed", call.Status));
        Assert.Equal("two\n", response.Output[3].Outputs![0].Stdout);
        Assert.Equal("done", response.Output[4].Text);
        Assert.Equal(new TokenUsage(20, 10), response.Usage);
        Assert.NotNull(await session.Sagas.Exists(sessionId, machine => machine.Idle));
    }

    [Fact]
    public async Task Should_run_the_turns_shell_calls_then_end_completed_without_asking_the_model_when_it_also_called_a_function()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();

        session.Model.Answer(responseId, 1, new ModelTurn
        {
            ShellCalls = [SessionHarness.Call("call-1", "echo one")],
            FunctionCalls = [new FunctionCallSpec { CallId = "call-f", Name = "lookup", Arguments = """{"q":"x"}""" }],
            Usage = new TokenUsage(10, 5),
        });
        await session.NextToolCallAsync("call-1");
        await session.ExecutorReportsAsync(sessionId, responseId, "call-1", stdout: "one\n");

        var finished = await session.FinishedAsync(responseId);
        Assert.Equal(ResponseStatuses.Completed, finished.Status);
        var response = await session.ResponseAsync(responseId);
        Assert.Equal(["function_call", "shell_call", "shell_call_output"], response.Output.Select(i => i.Type));
        var call = response.Output[0];
        Assert.Equal(("call-f", "lookup", """{"q":"x"}"""), (call.CallId, call.Name, call.Arguments));
        Assert.DoesNotContain(session.Model.Asked, asked => asked.ResponseId == responseId && asked.Step == 2);
        Assert.NotNull(await session.Sagas.Exists(sessionId, machine => machine.Idle));
    }

    [Fact]
    public async Task Should_announce_all_stream_events_of_a_step_in_one_message_when_the_model_answers()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();
        await session.RunCallAsync(sessionId, responseId, 1, "call-1");
        await session.NextModelCallAsync(responseId, 2);

        session.ModelSays(responseId, 2, "let me look", SessionHarness.Call("call-2", "ls"), SessionHarness.Call("call-3", "pwd"));
        await session.NextToolCallAsync("call-2");

        var step = Assert.Single(session.PublishedSoFar<ResponseEventsAppended>(m =>
            m.Context.Message.ResponseId == responseId && m.Context.Message.Events.Any(e => e.Type == StreamEventTypes.TextDelta))).Context.Message;
        Assert.Equal(
            [
                StreamEventTypes.ItemAdded, StreamEventTypes.PartAdded, StreamEventTypes.TextDelta, StreamEventTypes.TextDone, StreamEventTypes.PartDone, StreamEventTypes.ItemDone,
                StreamEventTypes.ItemAdded, StreamEventTypes.CommandAdded, StreamEventTypes.CommandDelta, StreamEventTypes.CommandDone,
                StreamEventTypes.ItemAdded, StreamEventTypes.CommandAdded, StreamEventTypes.CommandDelta, StreamEventTypes.CommandDone,
                StreamEventTypes.ItemAdded,
            ],
            step.Events.Select(e => e.Type));
        Assert.Equal(["call-2", "call-3", "call-2"], step.Events.Skip(6).Where(e => e.Type == StreamEventTypes.ItemAdded).Select(e => e.Item!.CallId));
        Assert.Equal(["ls", "pwd"], step.Events.Where(e => e.Type == StreamEventTypes.CommandDone).Select(e => e.Text));
    }

    [Fact]
    public async Task Should_take_other_sessions_steps_while_a_model_thinks_when_model_calls_are_off_the_session()
    {
        await using var session = await SessionHarness.StartAsync(maxConcurrentSteps: 2);

        // More sessions than the planner runs steps at once wait on a model that never answers them in this test.
        var thinking = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            var other = Guid.NewGuid();
            await session.QueueAsync(other);
            thinking.Add(other);
        }

        var (sessionId, responseId) = await session.BeginAsync();
        await session.RunCallAsync(sessionId, responseId, 1, "call-quick");
        await session.NextModelCallAsync(responseId, 2);
        session.ModelSays(responseId, 2, "done");

        Assert.Equal(ResponseStatuses.Completed, (await session.FinishedAsync(responseId)).Status);
        foreach (var other in thinking)
        {
            Assert.NotNull(await session.Sagas.Exists(other, machine => machine.Thinking));
        }
    }

    [Fact]
    public async Task Should_ignore_an_answer_when_it_is_for_a_step_the_session_has_moved_past()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();
        await session.RunCallAsync(sessionId, responseId, 1, "call-1");
        await session.NextModelCallAsync(responseId, 2);

        // A second answer for step 1 (a redelivered AskModel, asked again on another planner) while the model thinks on step 2.
        var sessions = await session.Harness.Bus.GetSendEndpoint(Endpoints.Sessions);
        await sessions.Send(new ModelAnswered
        {
            SessionId = sessionId,
            ResponseId = responseId,
            Step = 1,
            Turn = new ModelTurn { ShellCalls = [SessionHarness.Call("call-again", "true")] },
        }, TestContext.Current.CancellationToken);
        Assert.True(await session.Sagas.Consumed.Any<ModelAnswered>(m => m.Context.Message.Turn?.ShellCalls.Any(c => c.CallId == "call-again") == true));

        session.ModelSays(responseId, 2, "done");

        Assert.Equal(ResponseStatuses.Completed, (await session.FinishedAsync(responseId)).Status);
        var response = await session.ResponseAsync(responseId);
        Assert.DoesNotContain(response.Output, item => item.CallId == "call-again");
        Assert.Empty(session.SentSoFar<ToolCallRequested>(m => m.Context.Message.CallId == "call-again"));
    }

    [Fact]
    public async Task Should_announce_what_the_step_stored_before_the_model_answers_when_the_model_takes_its_time()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();
        session.ModelSays(responseId, 1, null, SessionHarness.Call("call-1", "echo hi"));
        await session.NextToolCallAsync("call-1");

        await session.ExecutorReportsAsync(sessionId, responseId, "call-1", stdout: "hi\n");
        await session.NextModelCallAsync(responseId, 2);

        // The model has not answered step 2, and never will in this test: the call's output is out anyway.
        Assert.True(await session.Harness.Published.Any<ResponseEventsAppended>(m => m.Context.Message.Events.Any(e =>
            e.Type == StreamEventTypes.ItemDone && e.Item?.Type == ResponseItem.ShellCallOutput && e.Item.Outputs![0].Stdout == "hi\n")));
        Assert.Equal(ResponseStatuses.InProgress, (await session.ResponseAsync(responseId)).Status);
    }

    [Fact]
    public async Task Should_stream_the_output_a_completion_carries_before_the_call_is_done_when_the_executor_held_it()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();
        session.ModelSays(responseId, 1, null, SessionHarness.Call("call-1", "echo hi", "echo there >&2"));
        await session.NextToolCallAsync("call-1");

        await session.Harness.Bus.Publish(new ToolCallCompleted
        {
            SessionId = sessionId,
            ResponseId = responseId,
            CallId = "call-1",
            ExecutorId = "exec-1",
            ContainerId = "container-1",
            Outputs = [new CommandOutput { Stdout = "hi\n" }, new CommandOutput { Stderr = "there\n" }],
            MaxOutputLength = 100,
            HeldChunks =
            [
                new ToolCallOutputProduced { SessionId = sessionId, ResponseId = responseId, CallId = "call-1", Chunk = 0, CommandIndex = 0, Stdout = "hi\n" },
                new ToolCallOutputProduced { SessionId = sessionId, ResponseId = responseId, CallId = "call-1", Chunk = 1, CommandIndex = 1, Stderr = "there\n" },
            ],
        });
        await session.NextModelCallAsync(responseId, 2);
        session.ModelSays(responseId, 2, "done");
        await session.FinishedAsync(responseId);

        var step = Assert.Single(session.PublishedSoFar<ResponseEventsAppended>(m =>
            m.Context.Message.ResponseId == responseId && m.Context.Message.Events.Any(e => e.Type == StreamEventTypes.ShellOutputDelta))).Context.Message;
        Assert.Equal([StreamEventTypes.ShellOutputDelta, StreamEventTypes.ShellOutputDelta], step.Events.Take(2).Select(e => e.Type));
        Assert.Equal([("hi\n", "", 0), ("", "there\n", 1)], step.Events.Take(2).Select(e => (e.Stdout, e.Stderr, e.CommandIndex ?? -1)));
        Assert.Contains(step.Events.Skip(2), e => e.Type == StreamEventTypes.ItemDone && e.Item?.Type == ResponseItem.ShellCallOutput);
    }

    [Fact]
    public async Task Should_send_the_finished_response_whole_when_its_text_is_small()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();
        await session.RunCallAsync(sessionId, responseId, 1, "call-1");
        await session.NextModelCallAsync(responseId, 2);
        session.ModelSays(responseId, 2, "done");

        var finished = await session.FinishedAsync(responseId);

        var carried = Assert.IsType<ResponseSnapshot>(finished.Response);
        Assert.Equal(ResponseStatuses.Completed, carried.Status);
        Assert.NotNull(carried.CompletedAt);
        Assert.Equal(["shell_call", "shell_call_output", "message"], carried.Output.Select(i => i.Type));
        Assert.Equal("ok\n", carried.Output[1].Outputs![0].Stdout);
        Assert.Equal((await session.ResponseAsync(responseId)).Usage, carried.Usage);
    }

    [Fact]
    public async Task Should_leave_the_finished_response_to_be_read_when_its_text_is_over_the_limit()
    {
        await using var session = await SessionHarness.StartAsync(maxFinishedTextChars: 50);
        var (sessionId, responseId) = await session.BeginAsync();
        session.ModelSays(responseId, 1, null, SessionHarness.Call("call-1", "seq 100"));
        await session.NextToolCallAsync("call-1");
        await session.ExecutorReportsAsync(sessionId, responseId, "call-1", stdout: new string('x', 51));
        await session.NextModelCallAsync(responseId, 2);
        session.ModelSays(responseId, 2, "done");

        var finished = await session.FinishedAsync(responseId);

        Assert.Equal(ResponseStatuses.Completed, finished.Status);
        Assert.Null(finished.Response);
    }

    [Fact]
    public async Task Should_end_incomplete_when_the_model_calls_past_max_tool_calls()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync(maxToolCalls: 1);

        session.ModelSays(responseId, 1, null, SessionHarness.Call("call-1", "true"), SessionHarness.Call("call-2", "true"));
        await session.NextToolCallAsync("call-1");
        await session.ExecutorReportsAsync(sessionId, responseId, "call-1");
        await session.NextModelCallAsync(responseId, 2);
        session.ModelSays(responseId, 2, null, SessionHarness.Call("call-3", "true"));

        var finished = await session.FinishedAsync(responseId);
        Assert.Equal(ResponseStatuses.Incomplete, finished.Status);
        var response = await session.ResponseAsync(responseId);
        Assert.Equal("max_tool_calls", response.IncompleteReason);
        Assert.Equal(["call-1"], response.Output.Where(i => i.Type == ResponseItem.ShellCall).Select(i => i.CallId));
        Assert.Empty(session.SentSoFar<ToolCallRequested>(m => m.Context.Message.CallId != "call-1"));
    }

    [Fact]
    public async Task Should_end_incomplete_when_the_model_call_limit_is_reached()
    {
        await using var session = await SessionHarness.StartAsync(maxModelCalls: 2);
        var (sessionId, responseId) = await session.BeginAsync();

        await session.RunCallAsync(sessionId, responseId, 1, "call-1");
        await session.NextModelCallAsync(responseId, 2);
        await session.RunCallAsync(sessionId, responseId, 2, "call-2");

        var finished = await session.FinishedAsync(responseId);
        Assert.Equal(ResponseStatuses.Incomplete, finished.Status);
        Assert.Equal("max_model_calls", (await session.ResponseAsync(responseId)).IncompleteReason);
    }

    [Fact]
    public async Task Should_fail_with_the_model_error_when_the_model_call_fails()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();

        session.Model.Answer(responseId, 1, ModelTurn.Failed("model_unavailable", "HTTP 503"));

        var finished = await session.FinishedAsync(responseId);
        Assert.Equal(ResponseStatuses.Failed, finished.Status);
        Assert.Equal(new ResponseError("model_unavailable", "HTTP 503"), (await session.ResponseAsync(responseId)).Error);
    }

    [Fact]
    public async Task Should_fail_the_response_instead_of_waiting_when_the_model_caller_crashes()
    {
        await using var session = await SessionHarness.StartAsync(crashingModelCaller: true);

        var responseId = await session.QueueAsync(Guid.NewGuid());

        Assert.Equal(ResponseStatuses.Failed, (await session.FinishedAsync(responseId)).Status);
        var error = (await session.ResponseAsync(responseId)).Error;
        Assert.Equal("server_error", error?.Code);
        Assert.Contains("model caller bug", error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_fail_the_response_when_the_sandbox_cannot_run_the_call()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();
        session.ModelSays(responseId, 1, null, SessionHarness.Call("call-1", "true"));
        await session.NextToolCallAsync("call-1");

        await session.ExecutorFailsAsync(sessionId, responseId, "call-1", "No such image: nope");

        Assert.Equal(ResponseStatuses.Failed, (await session.FinishedAsync(responseId)).Status);
        var response = await session.ResponseAsync(responseId);
        Assert.Equal("sandbox_error", response.Error?.Code);
        Assert.Equal(["completed", "completed"], response.Output.Select(i => i.Status));
    }

    [Fact]
    public async Task Should_run_responses_of_a_busy_session_one_after_another_in_order()
    {
        await using var session = await SessionHarness.StartAsync();
        var sessionId = Guid.NewGuid();
        var first = await session.QueueAsync(sessionId);
        await session.NextModelCallAsync(first, 1);

        var second = await session.QueueAsync(sessionId, previousResponseId: first);
        Assert.Equal(ResponseStatuses.Queued, (await session.ResponseAsync(second)).Status);
        Assert.Equal(0, session.Model.TimesAsked(second, 1));

        session.ModelSays(first, 1, "first done");
        Assert.Equal(ResponseStatuses.Completed, (await session.FinishedAsync(first)).Status);

        await session.NextModelCallAsync(second, 1);
        Assert.Equal(ResponseStatuses.InProgress, (await session.ResponseAsync(second)).Status);
    }

    [Fact]
    public async Task Should_ignore_a_redelivered_tool_result_when_the_call_has_completed()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();
        await session.RunCallAsync(sessionId, responseId, 1, "call-1");
        await session.NextModelCallAsync(responseId, 2);

        await session.ExecutorReportsAsync(sessionId, responseId, "call-1");
        session.ModelSays(responseId, 2, "done");

        Assert.Equal(ResponseStatuses.Completed, (await session.FinishedAsync(responseId)).Status);
        var response = await session.ResponseAsync(responseId);
        Assert.Single(response.Output, i => i.Type == ResponseItem.ShellCallOutput);
        Assert.Equal(2, session.SagaConsumedSoFar<ToolCallCompleted>(m => m.Context.Message.CallId == "call-1").Count);
        Assert.Equal(1, session.Model.TimesAsked(responseId, 2));
    }

    [Fact]
    public async Task Should_pass_the_known_container_to_later_calls()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();
        session.ModelSays(responseId, 1, null, SessionHarness.Call("call-a", "true"));
        Assert.Null((await session.NextToolCallAsync("call-a")).Context.Message.ContainerId);

        await session.ExecutorReportsAsync(sessionId, responseId, "call-a");
        await session.NextModelCallAsync(responseId, 2);
        session.ModelSays(responseId, 2, null, SessionHarness.Call("call-b", "true"));

        Assert.Equal("container-1", (await session.NextToolCallAsync("call-b")).Context.Message.ContainerId);
    }

    [Fact]
    public async Task Should_end_the_running_call_and_fail_with_container_lost_when_its_executor_is_lost()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();
        await session.RunCallAsync(sessionId, responseId, 1, "call-1", executorId: "exec-9");
        await session.NextModelCallAsync(responseId, 2);
        session.ModelSays(responseId, 2, null, SessionHarness.Call("call-2", "sleep 100", "echo after"));
        await session.NextToolCallAsync("call-2");

        await session.Harness.Bus.Publish(new ExecutorLost { ExecutorId = "exec-9" });

        Assert.Equal(ResponseStatuses.Failed, (await session.FinishedAsync(responseId)).Status);
        var response = await session.ResponseAsync(responseId);
        Assert.Equal("container_lost", response.Error?.Code);
        Assert.Contains("exec-9", response.Error?.Message, StringComparison.Ordinal);
        var lostOutput = response.Output.Last(i => i.Type == ResponseItem.ShellCallOutput);
        Assert.Equal("call-2", lostOutput.CallId);
        Assert.Equal(2, lostOutput.Outputs!.Count);
        Assert.All(lostOutput.Outputs, o => Assert.Contains("lost", o.Stderr, StringComparison.Ordinal));
        Assert.NotNull(await session.Sagas.Exists(sessionId, machine => machine.Idle));
    }

    [Fact]
    public async Task Should_leave_other_executors_sessions_alone_when_an_executor_is_lost()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();
        await session.RunCallAsync(sessionId, responseId, 1, "call-1", executorId: "exec-1");
        await session.NextModelCallAsync(responseId, 2);
        session.ModelSays(responseId, 2, null, SessionHarness.Call("call-2", "true"));
        await session.NextToolCallAsync("call-2");

        await session.Harness.Bus.Publish(new ExecutorLost { ExecutorId = "exec-other" });
        await session.ExecutorReportsAsync(sessionId, responseId, "call-2", executorId: "exec-1");
        await session.NextModelCallAsync(responseId, 3);
        session.ModelSays(responseId, 3, "done");

        Assert.Equal(ResponseStatuses.Completed, (await session.FinishedAsync(responseId)).Status);
    }

    [Fact]
    public async Task Should_fail_a_later_call_at_once_when_the_idle_session_lost_its_container()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, first) = await session.BeginAsync();
        await session.RunCallAsync(sessionId, first, 1, "call-1", executorId: "exec-9");
        await session.NextModelCallAsync(first, 2);
        session.ModelSays(first, 2, "done");
        await session.FinishedAsync(first);

        await session.Harness.Bus.Publish(new ExecutorLost { ExecutorId = "exec-9" });
        Assert.True(await session.Harness.Consumed.Any<ExecutorLost>());
        var second = await session.QueueAsync(sessionId, previousResponseId: first);
        await session.NextModelCallAsync(second, 1);
        session.ModelSays(second, 1, null, SessionHarness.Call("call-x", "cat notes"));

        Assert.Equal(ResponseStatuses.Failed, (await session.FinishedAsync(second)).Status);
        Assert.Equal("container_lost", (await session.ResponseAsync(second)).Error?.Code);
        Assert.Empty(session.SentSoFar<ToolCallRequested>(m => m.Context.Message.CallId == "call-x"));
    }

    [Fact]
    public async Task Should_fail_with_container_expired_when_the_executor_no_longer_has_the_container()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();
        session.ModelSays(responseId, 1, null, SessionHarness.Call("call-1", "ls"));
        await session.NextToolCallAsync("call-1");

        await session.ExecutorFailsAsync(sessionId, responseId, "call-1", "The session's container has expired", ErrorCodes.ContainerExpired);

        Assert.Equal(ResponseStatuses.Failed, (await session.FinishedAsync(responseId)).Status);
        Assert.Equal("container_expired", (await session.ResponseAsync(responseId)).Error?.Code);
    }

    [Fact]
    public async Task Should_cancel_the_running_response_and_stop_its_call()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();
        session.ModelSays(responseId, 1, null, SessionHarness.Call("call-1", "sleep 100"));
        await session.NextToolCallAsync("call-1");

        await session.Harness.Bus.Publish(new ResponseCancelRequested { SessionId = sessionId, ResponseId = responseId });

        Assert.Equal(ResponseStatuses.Cancelled, (await session.FinishedAsync(responseId)).Status);
        Assert.True(await session.Harness.Published.Any<ToolCallCancelled>(m => m.Context.Message.CallId == "call-1"));
        var response = await session.ResponseAsync(responseId);
        Assert.Equal(ResponseStatuses.Cancelled, response.Status);
        Assert.Equal(ItemStatus.Incomplete, Assert.Single(response.Output).Status);
        Assert.NotNull(await session.Sagas.Exists(sessionId, machine => machine.Idle));
    }

    [Fact]
    public async Task Should_take_a_waiting_response_off_the_queue_when_it_is_cancelled()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, first) = await session.BeginAsync();
        session.ModelSays(first, 1, null, SessionHarness.Call("call-1", "sleep 1"));
        await session.NextToolCallAsync("call-1");
        var second = await session.QueueAsync(sessionId, previousResponseId: first);
        Assert.True(await session.Harness.Consumed.Any<ResponseQueued>(m => m.Context.Message.ResponseId == second));

        await session.Harness.Bus.Publish(new ResponseCancelRequested { SessionId = sessionId, ResponseId = second });
        Assert.Equal(ResponseStatuses.Cancelled, (await session.FinishedAsync(second)).Status);

        await session.ExecutorReportsAsync(sessionId, first, "call-1");
        await session.NextModelCallAsync(first, 2);
        session.ModelSays(first, 2, "done");
        Assert.Equal(ResponseStatuses.Completed, (await session.FinishedAsync(first)).Status);
        Assert.Equal(0, session.Model.TimesAsked(second, 1));
    }

    [Fact]
    public async Task Should_stop_waiting_for_the_model_and_cancel_when_the_response_is_cancelled_while_the_model_thinks()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();

        await session.Harness.Bus.Publish(new ResponseCancelRequested { SessionId = sessionId, ResponseId = responseId });

        await session.Model.CancelledAsync(responseId, 1);
        Assert.Equal(ResponseStatuses.Cancelled, (await session.FinishedAsync(responseId)).Status);
        var response = await session.ResponseAsync(responseId);
        Assert.Equal(ResponseStatuses.Cancelled, response.Status);
        Assert.Empty(response.Output);
        Assert.NotNull(await session.Sagas.Exists(sessionId, machine => machine.Idle));
    }

    [Fact]
    public async Task Should_leave_a_finished_response_as_it_is_when_cancelled()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();
        session.ModelSays(responseId, 1, "done");
        await session.FinishedAsync(responseId);

        await session.Harness.Bus.Publish(new ResponseCancelRequested { SessionId = sessionId, ResponseId = responseId });

        // The saga's own consumption: the model-call canceller hears every cancel too.
        Assert.True(await session.Sagas.Consumed.Any<ResponseCancelRequested>(m => m.Context.Message.ResponseId == responseId));
        Assert.Equal(ResponseStatuses.Completed, (await session.ResponseAsync(responseId)).Status);
        Assert.Single(session.PublishedSoFar<ResponseFinished>(m => m.Context.Message.ResponseId == responseId));
    }

    [Fact]
    public async Task Should_stream_every_step_in_order_with_numbers_without_gaps_when_a_response_runs()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();

        session.ModelSays(responseId, 1, null, SessionHarness.Call("call-1", "echo one"), SessionHarness.Call("call-2", "echo two"));
        await session.NextToolCallAsync("call-1");
        await session.ExecutorReportsAsync(sessionId, responseId, "call-1", stdout: "one\n");
        await session.ExecutorReportsAsync(sessionId, responseId, "call-1", stdout: "one\n");
        await session.NextToolCallAsync("call-2");
        await session.ExecutorReportsAsync(sessionId, responseId, "call-2", stdout: "two\n");
        await session.NextModelCallAsync(responseId, 2);
        session.ModelSays(responseId, 2, "done");
        await session.FinishedAsync(responseId);

        var events = (await session.Store.ReadEventsAsync(responseId, -1, 100, CancellationToken.None))!;
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.SequenceNumber));
        Assert.Equal(
        [
            "response.in_progress",
            "response.output_item.added shell_call 0", "command 0 0 added: ", "command 0 0 delta: echo one", "command 0 0 done: echo one",
            "response.output_item.added shell_call 1", "command 1 0 added: ", "command 1 0 delta: echo two", "command 1 0 done: echo two",
            "response.output_item.added shell_call_output 2",
            "response.output_item.done shell_call 0", "output 2 0 done: one\n", "response.output_item.done shell_call_output 2",
            "response.output_item.added shell_call_output 3",
            "response.output_item.done shell_call 1", "output 3 0 done: two\n", "response.output_item.done shell_call_output 3",
            "response.output_item.added message 4", "response.content_part.added", "response.output_text.delta", "response.output_text.done",
            "response.content_part.done", "response.output_item.done message 4",
            "response.completed",
        ], events.Select(Describe));
        Assert.Equal("two\n", events[16].Item!.Outputs![0].Stdout);
        Assert.Equal("done", events[19].Text);
        Assert.True(await session.Harness.Published.Any<ResponseEventsAppended>(m => m.Context.Message.Events.Any(e => e.Type == "response.completed")));
    }

    [Fact]
    public async Task Should_stream_output_chunks_in_order_and_drop_those_that_come_late()
    {
        await using var session = await SessionHarness.StartAsync();
        var (sessionId, responseId) = await session.BeginAsync();
        session.ModelSays(responseId, 1, null, SessionHarness.Call("call-1", "seq 3"));
        await session.NextToolCallAsync("call-1");

        await PublishChunkAsync(0, "1\n");
        await PublishChunkAsync(2, "3\n");
        await PublishChunkAsync(1, "2\n");
        await session.ExecutorReportsAsync(sessionId, responseId, "call-1", stdout: "1\n2\n3\n");
        await session.NextModelCallAsync(responseId, 2);
        await PublishChunkAsync(2, "late\n", waitForIt: false);
        session.ModelSays(responseId, 2, "done");
        await session.FinishedAsync(responseId);
        Assert.True(await session.Sagas.Consumed.Any<ToolCallOutputProduced>(m => m.Context.Message.Stdout == "late\n"));

        var events = (await session.Store.ReadEventsAsync(responseId, -1, 100, CancellationToken.None))!;
        var deltas = events.Where(e => e.Type == "response.shell_call_output_content.delta").ToList();
        Assert.Equal(["1\n", "2\n"], deltas.Select(e => e.Stdout));
        Assert.All(deltas, e => Assert.Equal(1, e.OutputIndex));
        var done = events.Single(e => e.Type == "response.output_item.done" && e.Item!.Type == ResponseItem.ShellCallOutput);
        Assert.True(deltas.All(e => e.SequenceNumber < done.SequenceNumber));

        // One at a time, so the order they arrive in is the order they were sent in. The late one
        // comes while the next step waits on the model, so it is consumed only after that step.
        async Task PublishChunkAsync(int chunk, string stdout, bool waitForIt = true)
        {
            await session.Harness.Bus.Publish(new ToolCallOutputProduced
            {
                SessionId = sessionId,
                ResponseId = responseId,
                CallId = "call-1",
                Chunk = chunk,
                CommandIndex = 0,
                Stdout = stdout,
            });
            if (waitForIt)
            {
                Assert.True(await session.Sagas.Consumed.Any<ToolCallOutputProduced>(m => m.Context.Message.Chunk == chunk && m.Context.Message.Stdout == stdout));
            }
        }
    }

    private static string Describe(ResponseStreamEvent e) => e switch
    {
        { Item: { } item } => $"{e.Type} {item.Type} {e.OutputIndex}",
        { Type: StreamEventTypes.CommandAdded or StreamEventTypes.CommandDelta or StreamEventTypes.CommandDone } => $"command {e.OutputIndex} {e.CommandIndex} {e.Type.Split('.')[^1]}: {e.Text}",
        { Type: StreamEventTypes.ShellOutputDone } => $"output {e.OutputIndex} {e.CommandIndex} done: {e.Output!.Stdout}",
        _ => e.Type,
    };
}
