// The SDK marks its chat file parts experimental; the wire shape is the chat API's documented one.
#pragma warning disable OPENAI001
using Microsoft.ML.Tokenizers;
using OpenAI.Chat;

namespace Berth.Planner.Model;

/// <summary>
/// Counts the tokens of a chat request as OpenAI's current models read it: their o200k_base
/// encoding (Microsoft.ML.Tokenizers, with the encoding's data served as a package, so nothing
/// is downloaded), and the chat format's few tokens around each message and tool. For a model
/// with another tokenizer (Llama, Mistral, …) the count is an estimate, near enough to keep a
/// conversation inside a window that the operator gives with some room.
/// </summary>
internal sealed class TokenCounter
{
    // OpenAI's cookbook: each message costs its content plus about three tokens of framing,
    // and every reply is primed with three more. A tool's schema is framed likewise.
    private const int PerMessage = 3;
    private const int PerTool = 8;
    public const int ReplyPriming = 3;

    private readonly Lazy<Tokenizer> _tokenizer = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    public int Count(string? text) => string.IsNullOrEmpty(text) ? 0 : _tokenizer.Value.CountTokens(text);

    /// <summary>What OpenAI charges a 1024×1024 image at high detail; an image's size is not known here, so each counts as this.</summary>
    public const int PerImage = 765;

    /// <summary>
    /// A file's tokens, estimated as one for every four of its bytes, as for text: what the model
    /// host makes of a PDF (its text, its pages as images) is not known here.
    /// </summary>
    public static int FileTokens(ChatMessageContentPart part) => (int)Math.Min(int.MaxValue, (part.FileBytes?.ToMemory().Length ?? 0) / 4);

    public int Count(ChatMessage message)
    {
        var tokens = PerMessage + message.Content.Sum(part => part.Kind switch
        {
            ChatMessageContentPartKind.Image => PerImage,
            ChatMessageContentPartKind.File => FileTokens(part),
            _ => Count(part.Text),
        });
        if (message is AssistantChatMessage assistant)
        {
            tokens += assistant.ToolCalls.Sum(call => Count(call.FunctionName) + Count(call.FunctionArguments.ToString()));
        }

        return tokens;
    }

    /// <summary>
    /// At least <see cref="Count(ChatMessage)"/>, without tokenizing: a token of a byte-level
    /// encoding is one byte or more, so a message has no more tokens than UTF-8 bytes. Counting
    /// bytes is some hundred times faster, and most conversations are far inside their window.
    /// </summary>
    public static int UpperBound(ChatMessage message)
    {
        var bytes = PerMessage + message.Content.Sum(part => part.Kind switch
        {
            ChatMessageContentPartKind.Image => PerImage,
            ChatMessageContentPartKind.File => FileTokens(part),
            _ => part.Text is null ? 0 : System.Text.Encoding.UTF8.GetByteCount(part.Text),
        });
        if (message is AssistantChatMessage assistant)
        {
            bytes += assistant.ToolCalls.Sum(call => System.Text.Encoding.UTF8.GetByteCount(call.FunctionName) + call.FunctionArguments.ToMemory().Length);
        }

        return bytes;
    }

    /// <summary>The tools offered: the same with every call of a response, so counted once.</summary>
    public int Count(IEnumerable<ChatTool> tools) =>
        tools.Sum(tool => PerTool + Count(tool.FunctionName) + Count(tool.FunctionDescription) + Count(tool.FunctionParameters?.ToString()));
}
