using Berth.Contracts;

namespace Berth.Executor.Sandbox;

/// <summary>
/// How a session's commands run in its container: through one long-lived bash per container
/// (<see cref="ShellCommandRunner"/>, the default) or a <c>docker exec</c> each
/// (<see cref="ExecCommandRunner"/>), as <c>Executor:CommandMode</c> says. Either way a command
/// runs in a process group of its own, ended whole at its timeout or on a cancel.
/// </summary>
internal interface ICommandRunner
{
    /// <summary>Runs one command; a non-zero exit or a timeout is a result, not an exception.</summary>
    /// <param name="chunks">Where its output goes as it arrives, for streaming; null for none.</param>
    /// <param name="callCancelled">Cancelled when the call is: the command is killed and whatever it printed so far returned.</param>
    Task<CommandOutput> RunAsync(string containerId, string command, int timeoutMs, int maxOutputLength, OutputChunks? chunks,
        CancellationToken cancellationToken, CancellationToken callCancelled);

    /// <summary>Readies a new container ahead of its session, so that the session's first command does not wait for it.</summary>
    Task PrepareAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>
    /// Ends every process the session's earlier commands left running, if no command runs now;
    /// how many it ended (<see cref="CommandResult.UnknownCount"/> if it cannot tell), or null if
    /// a command was running, since what runs then is not left over.
    /// </summary>
    Task<int?> EndLeftRunningAsync(string containerId, CancellationToken cancellationToken);

    /// <summary>Lets go of what it kept for a container that is gone.</summary>
    void Forget(string containerId);
}
