using System.Diagnostics;
using System.Globalization;

namespace Berth.LocalStack;

/// <summary>
/// One Berth service as its own process (<c>dotnet services/x/bin/.../Berth.X.dll</c>), as an
/// operator runs it: from its own directory, so that it finds its appsettings.json, with its
/// output in a log file whose path failures print.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    /// <summary>Where a service should listen: a port the kernel picks as it binds, which no other socket can take first.</summary>
    public const string AnyFreePort = "http://127.0.0.1:0";

    /// <summary>What the host prints once it has started, the bus included.</summary>
    public const string StartedLine = "Application started";

    private const string ListeningLine = "Now listening on: ";

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _readyLine;
    private readonly Func<string, string?> _listeningAt;
    private int _disposed;

    private ServiceProcess(string name, Process process, StreamWriter log, string logPath, string readyLine, Func<string, string?> listeningAt)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
        _readyLine = readyLine;
        _listeningAt = listeningAt;
    }

    public string Name { get; }

    public string LogPath { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Where the service listens, as it said itself; null until it has.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>A service of this repository, <paramref name="project"/> naming its folder under <c>services/</c>.</summary>
    public static ServiceProcess StartService(string name, string project, IReadOnlyDictionary<string, string> environment, string logDirectory,
        string readyLine = StartedLine) =>
        Start(name, BerthRepository.ServiceDll(project), environment, logDirectory, readyLine: readyLine);

    /// <param name="listeningAt">Finds the address in a line the process prints; Kestrel's own "Now listening on" line by default.</param>
    public static ServiceProcess Start(string name, string dll, IReadOnlyDictionary<string, string> environment, string logDirectory,
        IReadOnlyList<string>? args = null, string readyLine = StartedLine, Func<string, string?>? listeningAt = null)
    {
        var start = new ProcessStartInfo("dotnet", [dll, .. args ?? []])
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
        var service = new ServiceProcess(name, process, log, logPath, readyLine, listeningAt ?? KestrelListening);

        process.OutputDataReceived += (_, e) => service.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => service.OnLine(e.Data);
        process.Exited += (_, _) =>
        {
            var exited = new InvalidOperationException($"{name} exited with code {process.ExitCode} before it was ready; see {logPath}");
            service._ready.TrySetException(exited);
            service._listening.TrySetException(exited);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>Waits until the process prints its ready line (by default, once its host has started).</summary>
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

    /// <summary>Waits until the process says where it listens.</summary>
    public async Task<Uri> ListeningAsync(TimeSpan timeout)
    {
        try
        {
            return await _listening.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} did not say where it listens within {timeout.TotalSeconds} s; see {LogPath}");
        }
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200: the service reaches its broker, its store and its engine.</summary>
    public async Task WaitUntilHealthyAsync(TimeSpan timeout, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var url = new Uri(await ListeningAsync(timeout), "/health/ready");
        var deadline = time.GetUtcNow() + timeout;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} while starting; see {LogPath}");
            }

            try
            {
                using var ready = await http.GetAsync(url);
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (time.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"{Name} was not ready within {timeout.TotalSeconds} s; see {LogPath}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time);
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

    /// <summary>CPU time the process has used so far, user and system.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>Peak resident memory (VmHWM), in MiB.</summary>
    public double PeakMemoryMb()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    /// <summary>Asks the process to stop (SIGTERM), as an orchestrator's rolling restart does, and waits until it has.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }

        using var signal = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
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

        await KillAsync();
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private static string? KestrelListening(string line)
    {
        var at = line.IndexOf(ListeningLine, StringComparison.Ordinal);
        return at >= 0 ? line[(at + ListeningLine.Length)..].Trim() : null;
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

        if (Url is null && _listeningAt(line) is { } url)
        {
            Url = new Uri(url);
            _listening.TrySetResult(Url);
        }

        if (line.Contains(_readyLine, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }
}
