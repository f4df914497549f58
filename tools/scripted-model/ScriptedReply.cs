namespace Berth.ScriptedModel;

/// <summary>What the scripted model answers: text, shell calls, or an HTTP error.</summary>
public sealed record ScriptedReply
{
    public string? Text { get; init; }
    public IReadOnlyList<ScriptedShellCall> ShellCalls { get; init; } = [];
    public int? ErrorStatus { get; init; }

    /// <summary>How long the model "thinks" before it answers; the wait ends early if the caller hangs up.</summary>
    public TimeSpan Delay { get; init; }

    public static ScriptedReply Say(string text) => new() { Text = text };

    public static ScriptedReply Call(params ScriptedShellCall[] calls) => new() { ShellCalls = calls };

    public static ScriptedReply Error(int status) => new() { ErrorStatus = status };
}

public sealed record ScriptedShellCall(IReadOnlyList<string> Commands, int? TimeoutMs = null, int? MaxOutputLength = null);
