using System.Text.Json;
using Berth.Planner.Model;
using OpenAI.Chat;

namespace Berth.UnitTests.Planner;

/// <summary>Fitting a conversation into a window, counted here as characters so the arithmetic is plain; and the real tokenizer's count.</summary>
public sealed class ContextWindowTests
{
    private static int Length(ChatMessage message) => message.Content.Sum(p => p.Text?.Length ?? 0) + (message is AssistantChatMessage a ? a.ToolCalls.Count * 10 : 0);

    private static List<ChatMessage> Conversation() =>
    [
        new SystemChatMessage("rules"),
        new UserChatMessage("first question, long ago"),
        new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall("c1", "shell", BinaryData.FromString("{}"))]),
        new ToolChatMessage("c1", "a very long output of the first command"),
        new AssistantChatMessage("first answer"),
        new UserChatMessage("second question"),
        new AssistantChatMessage("second answer"),
        new UserChatMessage("third"),
    ];

    [Fact]
    public void Should_send_everything_when_it_fits_and_nothing_when_it_does_not_and_truncation_is_disabled()
    {
        var messages = Conversation();
        var size = messages.Sum(Length);

        Assert.Same(messages, ContextWindow.Fit(messages, Length, 0, size, truncate: false));
        Assert.Null(ContextWindow.Fit(messages, Length, 0, size - 1, truncate: false));
        Assert.Null(ContextWindow.Fit(messages, Length, 1, size, truncate: false));
    }

    [Fact]
    public void Should_drop_the_oldest_turns_whole_and_keep_the_instructions_when_truncation_is_auto()
    {
        var messages = Conversation();
        var withoutFirstTurn = messages.Sum(Length) - messages.Skip(1).Take(4).Sum(Length);

        var fitted = ContextWindow.Fit(messages, Length, 0, withoutFirstTurn, truncate: true)!;
        var onlyTheLast = ContextWindow.Fit(messages, Length, 0, withoutFirstTurn - 1, truncate: true)!;

        Assert.Equal(["rules", "second question", "second answer", "third"], fitted.Select(m => m.Content[0].Text));
        Assert.Equal(["rules", "third"], onlyTheLast.Select(m => m.Content[0].Text));
        Assert.Null(ContextWindow.Fit(messages, Length, 0, "rules".Length + "third".Length - 1, truncate: true));
    }

    [Fact]
    public void Should_count_tokens_with_OpenAIs_encoding_and_the_chat_formats_framing()
    {
        var tokens = new TokenCounter();

        Assert.Equal(2, tokens.Count("hello world"));
        Assert.Equal(3 + 2, tokens.Count(new UserChatMessage("hello world")));
        Assert.True(tokens.Count(new string('x', 40_000) + " " + string.Join(' ', Enumerable.Range(0, 5000))) > 5000);
    }

    [Theory]
    [InlineData("plain words and numbers 12345")]
    [InlineData("emoji \U0001F680\U0001F680 and accents éàü")]
    [InlineData("漢字とかなの混じった文")]
    [InlineData("")]
    public void Should_bound_a_messages_tokens_from_above_by_its_bytes(string text)
    {
        var tokens = new TokenCounter();
        ChatMessage[] messages =
        [
            new UserChatMessage(text.Length == 0 ? " " : text),
            new AssistantChatMessage([ChatToolCall.CreateFunctionToolCall("c", "shell", BinaryData.FromString(JsonSerializer.Serialize(new { commands = new[] { $"echo {text}" } })))]),
        ];

        Assert.All(messages, m => Assert.InRange(tokens.Count(m), 1, TokenCounter.UpperBound(m)));
    }

}
