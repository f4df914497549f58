using Berth.Contracts;
using Berth.Planner.Model;
using Berth.Planner.Responses;
using OpenAI.Chat;

namespace Berth.UnitTests.Planner;

public sealed class ConversationTests
{
    private static StoredResponse Response(string id, string? previous, string? instructions, InputMessage[] input, params ResponseItem[] output) =>
        new(new ResponseSnapshot
        {
            Id = id,
            SessionId = Guid.Empty,
            Status = ResponseStatuses.Completed,
            Model = "m",
            PreviousResponseId = previous,
            Instructions = instructions,
            Output = output,
        }, input);

    private static ResponseItem Call(string callId, string command) =>
        new() { Id = $"sh_{callId}", Type = ResponseItem.ShellCall, CallId = callId, Commands = [command] };

    private static ResponseItem Output(string callId, string stdout) =>
        new() { Id = $"sho_{callId}", Type = ResponseItem.ShellCallOutput, CallId = callId, Outputs = [new CommandOutput { Stdout = stdout, ExitCode = 0 }] };

    private static ResponseItem Message(string text) => new() { Id = $"msg_{text}", Type = ResponseItem.Message, Text = text };

    [Fact]
    public void Should_replay_the_chain_with_each_tool_call_followed_by_its_result()
    {
        var first = Response("r1", null, "old rules", [new("user", "make a file")],
            Call("c1", "touch f"), Call("c2", "ls"), Output("c1", ""), Output("c2", "f\n"), Message("made it"));
        var second = Response("r2", "r1", "new rules", [new("user", "is it there?")]);

        var messages = Conversation.Build([first, second]);

        Assert.Collection(messages,
            m => Assert.Equal("new rules", Assert.IsType<SystemChatMessage>(m).Content[0].Text),
            m => Assert.Equal("make a file", Assert.IsType<UserChatMessage>(m).Content[0].Text),
            m => Assert.Equal(["c1", "c2"], Assert.IsType<AssistantChatMessage>(m).ToolCalls.Select(c => c.Id)),
            m => Assert.Equal("c1", Assert.IsType<ToolChatMessage>(m).ToolCallId),
            m =>
            {
                var tool = Assert.IsType<ToolChatMessage>(m);
                Assert.Equal("c2", tool.ToolCallId);
                Assert.Equal("""[{"stdout":"f\n","stderr":"","outcome":{"type":"exit","exit_code":0}}]""", tool.Content[0].Text);
            },
            m => Assert.Equal("made it", Assert.IsType<AssistantChatMessage>(m).Content[0].Text),
            m => Assert.Equal("is it there?", Assert.IsType<UserChatMessage>(m).Content[0].Text));
    }

    [Fact]
    public void Should_leave_out_a_call_that_never_got_its_output()
    {
        var failed = Response("r1", null, null, [new("user", "go")], Call("c1", "sleep 1"));

        var messages = Conversation.Build([failed]);

        Assert.Single(messages);
        Assert.IsType<UserChatMessage>(messages[0]);
    }

    [Fact]
    public void Should_send_text_and_calls_of_one_turn_as_one_assistant_message()
    {
        var response = Response("r1", null, null, [new("user", "go")], Message("let me look"), Call("c1", "ls"), Output("c1", ""));

        var assistant = Assert.IsType<AssistantChatMessage>(Conversation.Build([response])[1]);

        Assert.Equal("let me look", assistant.Content[0].Text);
        Assert.Equal("c1", Assert.Single(assistant.ToolCalls).Id);
    }

    private static InputMessage Resent(ResponseItem item) => new(InputMessage.OutputItem, "") { Id = item.Id, Item = item };

    private static ResponseItem FunctionCall(string callId) =>
        new() { Id = $"fc_{callId}", Type = ResponseItem.FunctionCall, CallId = callId, Name = "lookup", Arguments = "{}" };

    [Fact]
    public void Should_replay_a_history_the_client_sent_back_with_each_call_followed_by_its_output()
    {
        var response = Response("r1", null, null,
        [
            new("user", "go"),
            Resent(Message("on it")),
            Resent(Call("c1", "ls")),
            Resent(Output("c1", "a\n")),
            Resent(new ResponseItem { Id = "rs_1", Type = ResponseItem.Reasoning, Text = "list first" }),
            Resent(FunctionCall("f1")),
            new(InputMessage.Tool, "found") { CallId = "f1" },
            new("user", "next"),
        ]);

        var messages = Conversation.Build([response]);

        Assert.Collection(messages,
            m => Assert.Equal("go", Assert.IsType<UserChatMessage>(m).Content[0].Text),
            m =>
            {
                var assistant = Assert.IsType<AssistantChatMessage>(m);
                Assert.Equal("on it", assistant.Content[0].Text);
                Assert.Equal(["c1"], assistant.ToolCalls.Select(c => c.Id));
            },
            m => Assert.Equal("c1", Assert.IsType<ToolChatMessage>(m).ToolCallId),
            m => Assert.Equal(["f1"], Assert.IsType<AssistantChatMessage>(m).ToolCalls.Select(c => c.Id)),
            m => Assert.Equal("found", Assert.IsType<ToolChatMessage>(m).Content[0].Text),
            m => Assert.Equal("next", Assert.IsType<UserChatMessage>(m).Content[0].Text));
    }

    [Fact]
    public void Should_write_a_call_once_when_the_client_sends_back_an_item_the_chain_holds()
    {
        var first = Response("r1", null, null, [new("user", "q")], FunctionCall("f1"));
        var second = Response("r2", "r1", null, [Resent(FunctionCall("f1")), new(InputMessage.Tool, "x") { CallId = "f1" }, new("user", "go on")]);

        var messages = Conversation.Build([first, second]);

        Assert.Collection(messages,
            m => Assert.IsType<UserChatMessage>(m),
            m => Assert.Equal(["f1"], Assert.IsType<AssistantChatMessage>(m).ToolCalls.Select(c => c.Id)),
            m => Assert.Equal("f1", Assert.IsType<ToolChatMessage>(m).ToolCallId),
            m => Assert.Equal("go on", Assert.IsType<UserChatMessage>(m).Content[0].Text));
    }

    [Fact]
    public void Should_send_a_user_messages_images_in_order_a_data_url_as_its_bytes()
    {
        var input = new InputMessage("user", "look\nthen say")
        {
            Parts =
            [
                new ContentPart { Type = ContentPart.InputText, Text = "look" },
                new ContentPart { Type = ContentPart.InputImage, ImageUrl = "https://images.example.test/a.png", Detail = "low" },
                new ContentPart { Type = ContentPart.InputImage, ImageUrl = "data:image/gif;base64,R0lGODdh", Detail = "auto" },
                new ContentPart { Type = ContentPart.InputText, Text = "then say" },
            ],
        };

        var user = Assert.IsType<UserChatMessage>(Assert.Single(Conversation.Build([Response("r1", null, null, [input])])));

        Assert.Equal([ChatMessageContentPartKind.Text, ChatMessageContentPartKind.Image, ChatMessageContentPartKind.Image, ChatMessageContentPartKind.Text], user.Content.Select(p => p.Kind));
        Assert.Equal(new Uri("https://images.example.test/a.png"), user.Content[1].ImageUri);
        Assert.Equal(ChatImageDetailLevel.Low, user.Content[1].ImageDetailLevel);
        Assert.Equal(("image/gif", "GIF87a"), (user.Content[2].ImageBytesMediaType, System.Text.Encoding.ASCII.GetString(user.Content[2].ImageBytes.ToArray())));
    }

    private static ResponseItem Request(string callId, string command) =>
        new() { Id = $"sar_{callId}", Type = ResponseItem.ShellApprovalRequest, CallId = callId, Commands = [command] };

    private static InputMessage Answer(string callId, bool approve, string? reason = null) =>
        new(InputMessage.ApprovalResponse, "") { Approval = new ApprovalDecision { RequestId = $"sar_{callId}", Approve = approve, Reason = reason } };

    [Fact]
    public void Should_tell_the_model_a_declined_call_did_not_run_and_why_in_place_of_its_output()
    {
        var paused = Response("r1", null, null, [new("user", "clean up")], Call("c1", "ls"), Output("c1", "build\n"), Request("c2", "rm -rf build"));
        var declined = Response("r2", "r1", null, [Answer("c2", approve: false, "keep the build")]);

        var messages = Conversation.Build([paused, declined]);

        Assert.Collection(messages,
            m => Assert.IsType<UserChatMessage>(m),
            m => Assert.Equal(["c1"], Assert.IsType<AssistantChatMessage>(m).ToolCalls.Select(c => c.Id)),
            m => Assert.Equal("c1", Assert.IsType<ToolChatMessage>(m).ToolCallId),
            m => Assert.Equal(["c2"], Assert.IsType<AssistantChatMessage>(m).ToolCalls.Select(c => c.Id)),
            m =>
            {
                var result = Assert.IsType<ToolChatMessage>(m);
                Assert.Equal("c2", result.ToolCallId);
                Assert.Contains("declined", result.Content[0].Text, StringComparison.Ordinal);
                Assert.EndsWith("keep the build", result.Content[0].Text, StringComparison.Ordinal);
            });
    }

    [Fact]
    public void Should_show_an_approved_call_once_where_it_ran_and_not_where_it_waited()
    {
        var paused = Response("r1", null, null, [new("user", "clean up")], Request("c2", "rm -rf build"));
        var approved = Response("r2", "r1", null, [Answer("c2", approve: true)], Call("c2", "rm -rf build"), Output("c2", ""));

        var messages = Conversation.Build([paused, approved]);

        Assert.Collection(messages,
            m => Assert.IsType<UserChatMessage>(m),
            m => Assert.Equal(["c2"], Assert.IsType<AssistantChatMessage>(m).ToolCalls.Select(c => c.Id)),
            m => Assert.StartsWith("[{", Assert.IsType<ToolChatMessage>(m).Content[0].Text, StringComparison.Ordinal));
    }

    [Fact]
    public void Should_tell_the_model_a_call_waited_for_an_approval_never_given_when_the_next_response_does_not_answer()
    {
        var paused = Response("r1", null, null, [new("user", "clean up")], Request("c2", "rm -rf build"));
        var moved = Response("r2", "r1", null, [new("user", "never mind")]);

        var messages = Conversation.Build([paused, moved]);

        var result = Assert.IsType<ToolChatMessage>(messages[2]);
        Assert.Contains("was not given", result.Content[0].Text, StringComparison.Ordinal);
        Assert.Equal("never mind", Assert.IsType<UserChatMessage>(messages[3]).Content[0].Text);
    }
}
