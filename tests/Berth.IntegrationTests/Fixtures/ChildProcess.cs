using System.ComponentModel;
using System.Diagnostics;

namespace Berth.IntegrationTests.Fixtures;

/// <summary>Runs a program to its end and returns its exit code with everything it printed.</summary>
public static class ChildProcess
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments, string? directory = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory ?? Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromMinutes(1));
        return (process.ExitCode, await output + await error);
    }

    /// <summary>True when the program exists here and answers these arguments with exit code 0.</summary>
    public static async Task<bool> AnswersAsync(string file, params string[] arguments)
    {
        try
        {
            return (await RunAsync(file, arguments)).ExitCode == 0;
        }
        catch (Win32Exception)
        {
            return false;
        }
    }
}
