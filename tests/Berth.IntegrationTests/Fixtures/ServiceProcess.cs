using System.Diagnostics;

namespace Berth.IntegrationTests.Fixtures;

/// <summary>
/// One Berth service as its own process (<c>dotnet services/x/bin/.../Berth.X.dll</c>), as an
/// operator runs it. Its output goes to a log file whose path failures print.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private const string ListeningLine = "Now listening on: ";

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _readyLine;

    private ServiceProcess(string name, Process process, StreamWriter log, string logPath, string readyLine)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
        _readyLine = readyLine;
    }

    private int _disposed;

    public string Name { get; }

    public string LogPath { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Where the service listens, as it said itself. Services are started on port 0 so the
    /// kernel picks a free port as it binds: a port picked before the start could be taken by
    /// another socket in between, which on a busy test machine happens.
    /// </summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Started; ready once the host has started, the bus included, and it listens.</summary>
    public static ServiceProcess Start(string name, string project, IReadOnlyDictionary<string, string> environment, string logDirectory,
        string readyLine = "Application started")
    {
        var dll = Path.Combine(Repository.Root, "services", project, "bin", Repository.Configuration, "net10.0", $"Berth.{Capitalize(project)}.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build the solution first: {dll} is missing.", dll);
        }

        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        Directory.CreateDirectory(logDirectory);
        var logPath = Path.Combine(logDirectory, $"{name}.log");
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(name, process, log, logPath, readyLine);

        process.OutputDataReceived += (_, e) => service.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => service.OnLine(e.Data);
        process.Exited += (_, _) => service._ready.TrySetException(new InvalidOperationException($"{name} exited with code {process.ExitCode} before it was ready; see {logPath}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        try
        {
            await _ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} did not print '{_readyLine}' within {timeout.TotalSeconds} s; see {LogPath}");
        }
    }

    /// <summary>Waits for the process to end by itself, and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>What the process has printed so far.</summary>
    public string Output()
    {
        lock (_log)
        {
            _log.Flush();
        }

        using var reader = new StreamReader(new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        return reader.ReadToEnd();
    }

    /// <summary>Asks the process to stop (SIGTERM), as an orchestrator's rolling restart does, and waits until it has.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }

        using var signal = System.Diagnostics.Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await signal.WaitForExitAsync();
        await _process.WaitForExitAsync().WaitAsync(timeout);
    }

    /// <summary>Ends the process at once, as a crash or a lost host would: no shutdown, no goodbye.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Stops the process if it runs; a second call (a test's, then the stack's) does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (_log.BaseStream.CanWrite)
            {
                _log.WriteLine(line);
            }
        }

        var listening = line.IndexOf(ListeningLine, StringComparison.Ordinal);
        if (listening >= 0 && Url is null)
        {
            Url = new Uri(line[(listening + ListeningLine.Length)..].Trim());
        }

        if (line.Contains(_readyLine, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    private static string Capitalize(string project) => char.ToUpperInvariant(project[0]) + project[1..];
}
