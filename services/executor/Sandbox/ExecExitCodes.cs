using Docker.DotNet;

namespace Berth.Executor.Sandbox;

internal static class ExecExitCodes
{
    /// <summary>
    /// The exit code of an exec whose output has ended; null if it still runs about a second
    /// later. The stream can end a moment before Docker records the exit code.
    /// </summary>
    public static async Task<int?> WaitForExitCodeAsync(this IExecOperations exec, string execId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var inspect = await exec.InspectContainerExecAsync(execId, cancellationToken);
            if (!inspect.Running)
            {
                return inspect.ExitCode is { } code ? (int)code : null;
            }

            await Task.Delay(10, cancellationToken);
        }

        return null;
    }
}
