namespace Berth.Contracts;

/// <summary>The <c>type</c> of each event of a response's stream, as OpenAI names them; the terminal ones are also the webhooks' event types.</summary>
public static class StreamEventTypes
{
    public const string Created = "response.created";
    public const string InProgress = "response.in_progress";
    public const string Queued = "response.queued";
    public const string Completed = "response.completed";
    public const string Failed = "response.failed";
    public const string Cancelled = "response.cancelled";
    public const string Incomplete = "response.incomplete";
    public const string ItemAdded = "response.output_item.added";
    public const string ItemDone = "response.output_item.done";
    public const string PartAdded = "response.content_part.added";
    public const string PartDone = "response.content_part.done";
    public const string TextDelta = "response.output_text.delta";
    public const string TextDone = "response.output_text.done";
    public const string ArgumentsDelta = "response.function_call_arguments.delta";
    public const string ArgumentsDone = "response.function_call_arguments.done";
    public const string CommandAdded = "response.shell_call_command.added";
    public const string CommandDelta = "response.shell_call_command.delta";
    public const string CommandDone = "response.shell_call_command.done";
    public const string ShellOutputDelta = "response.shell_call_output_content.delta";
    public const string ShellOutputDone = "response.shell_call_output_content.done";

    /// <summary>The event that ends a stream with the response's final status.</summary>
    public static string Terminal(string status) => $"response.{status}";

    public static bool IsTerminal(string type) => type is Completed or Failed or Cancelled or Incomplete;
}
