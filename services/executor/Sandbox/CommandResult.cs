using Berth.Contracts;

namespace Berth.Executor.Sandbox;

/// <summary>What both command runners make of a command's end: its captured output and how it ended.</summary>
internal static class CommandResult
{
    /// <summary>Grace beyond a command's own timeout before a runner stops waiting on Docker itself.</summary>
    public static readonly TimeSpan ReadGrace = TimeSpan.FromSeconds(10);

    /// <summary>What <see cref="ICommandRunner.EndLeftRunningAsync"/> answers when it ended processes but cannot say how many.</summary>
    public const int UnknownCount = -1;

    /// <summary>What a command printed and how it ended; one that ran out of time has no exit code.</summary>
    public static CommandOutput From(OutputCapture stdout, OutputCapture stderr, int? exitCode, bool timedOut = false) => new()
    {
        Stdout = stdout.ToString(),
        Stderr = stderr.ToString(),
        ExitCode = timedOut ? null : exitCode,
        TimedOut = timedOut,
    };
}
