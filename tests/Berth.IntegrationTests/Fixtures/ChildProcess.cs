using System.ComponentModel;
using System.Diagnostics;

namespace Berth.IntegrationTests.Fixtures;

/// <summary>Runs a program to its end and returns its exit code with everything it printed.</summary>
public static class ChildProcess
{
    /// <param name="environment">Variables to set for the program; a null value removes one it would inherit.</param>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments, string? directory = null, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory ?? BerthRepository.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
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
