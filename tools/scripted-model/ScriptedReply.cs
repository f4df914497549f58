namespace Berth.ScriptedModel;

/// <summary>What the scripted model answers: text, shell calls, or an HTTP error.</summary>
public sealed record ScriptedReply
{
    public string? Text { get; init; }
    public IReadOnlyList<ScriptedShellCall> ShellCalls { get; init; } = [];

    /// <summary>Calls to the client's functions, after the shell calls.</summary>
    public IReadOnlyList<ScriptedFunctionCall> FunctionCalls { get; init; } = [];
    public int? ErrorStatus { get; init; }

    /// <summary>How long the model "thinks" before it answers; the wait ends early if the caller hangs up.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Asked to stream, the pause between one word of the text and the next, as a model that writes slowly.</summary>
    public TimeSpan WordDelay { get; init; }

    /// <summary>
    /// Asked to stream, the text is this many words, each the moment it was written (Unix time
    /// in microseconds), so a reader can tell how long each word took to reach it.
    /// </summary>
    public int StampedWords { get; init; }

    public static ScriptedReply Say(string text) => new() { Text = text };

    public static ScriptedReply Call(params ScriptedShellCall[] calls) => new() { ShellCalls = calls };

    public static ScriptedReply Error(int status) => new() { ErrorStatus = status };
}

public sealed record ScriptedFunctionCall(string Name, string Arguments);

public sealed record ScriptedShellCall(IReadOnlyList<string> Commands, int? TimeoutMs = null, int? MaxOutputLength = null);
