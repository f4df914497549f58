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
}
