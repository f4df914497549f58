using System.Diagnostics;
using System.Globalization;

namespace Berth.Bench;

/// <summary>
/// Berth's services as separate processes on this machine, as in production: the scripted
/// model, a planner (state in memory), an api and any number of executors, on a RabbitMQ
/// virtual host of their own (<c>berth-bench</c>), so that nothing else on the broker (a test
/// run, say) shares their queues. RabbitMQ and Docker must be running: <c>./berth setup</c>
/// starts both.
/// </summary>
public sealed class LocalServices : IAsyncDisposable
{
    private const string VirtualHost = "berth-bench";

    // Each process binds a port the kernel picks and says which: a port picked beforehand could
    // be taken by another socket before the process binds it.
    private const string AnyFreePort = "http://127.0.0.1:0";

    private readonly string _root;
    private readonly string _configuration;
    private readonly string _broker;
    private readonly IReadOnlyDictionary<string, string> _common;
    private readonly List<Service> _services = [];

    private LocalServices(string root, string configuration, string broker, IReadOnlyDictionary<string, string> common)
    {
        _root = root;
        _configuration = configuration;
        _broker = broker;
        _common = common;
    }

    public Uri ApiUrl { get; private set; } = null!;

    public Service Api { get; private set; } = null!;

    public Service Planner { get; private set; } = null!;

    public Service Model { get; private set; } = null!;

    /// <param name="common">Settings every Berth service gets, such as where to export spans.</param>
    public static async Task<LocalServices> StartAsync(IReadOnlyDictionary<string, string>? common = null)
    {
        var root = FindRoot();
        var configuration = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        await RunAsync("rabbitmqctl", ["-q", "add_vhost", VirtualHost], mayFail: true);
        await RunAsync("rabbitmqctl", ["-q", "set_permissions", "-p", VirtualHost, "guest", ".*", ".*", ".*"], mayFail: false);
        var stack = new LocalServices(root, configuration, $"amqp://guest:guest@127.0.0.1:5672/{VirtualHost}", common ?? new Dictionary<string, string>());
        try
        {
            await stack.StartCoreAsync();
            return stack;
        }
        catch
        {
            // What did start must not outlive the benchmark: a stray planner on the virtual host
            // would take the next run's messages.
            await stack.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync()
    {
        // The scripted model announces its own address, its API's base: "... on http://127.0.0.1:N/v1".
        var model = Model = Start("scripted-model", Path.Combine(_root, "tools", "scripted-model", "bin", _configuration, "net10.0", "Berth.ScriptedModel.dll"),
            new Dictionary<string, string>(), args: ["--urls", AnyFreePort], listening: line => line.StartsWith("Berth scripted model", StringComparison.Ordinal) ? line[(line.LastIndexOf(' ') + 1)..] : null);
        var modelUrl = await model.ListeningAsync();

        Planner = StartService("planner", new Dictionary<string, string>
        {
            ["OPENAI_BASE_URL"] = modelUrl.ToString(),
            ["Planner__Store"] = "InMemory",
        });
        Api = StartService("api", new Dictionary<string, string>());
        await Task.WhenAll(Planner.WaitUntilReadyAsync(), Api.WaitUntilReadyAsync());
        ApiUrl = new Uri(Api.Url, "/v1/");
    }

    /// <param name="settings">Settings of this executor's own, over the benchmark's.</param>
    public async Task<Service> StartExecutorAsync(string id, IReadOnlyDictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string>
        {
            ["Executor__InstanceId"] = id,
            ["Executor__MaxContainers"] = "100",
            ["Executor__HeartbeatSeconds"] = "1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        var executor = StartService($"executor-{id}", all);
        await executor.WaitUntilReadyAsync();
        return executor;
    }

    public async Task StopAsync(Service service)
    {
        lock (_services)
        {
            _services.Remove(service);
        }

        await service.DisposeAsync();
    }

    private Service StartService(string name, Dictionary<string, string> settings)
    {
        var project = name.Split('-')[0];
        settings["ConnectionStrings__rabbitmq"] = _broker;
        settings["ASPNETCORE_URLS"] = AnyFreePort;
        settings["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in _common)
        {
            settings[key] = value;
        }

        var dll = Path.Combine(_root, "services", project, "bin", _configuration, "net10.0", $"Berth.{char.ToUpperInvariant(project[0])}{project[1..]}.dll");
        return Start(name, dll, settings, []);
    }

    /// <param name="listening">Finds the address in a line the process prints; Kestrel's own "Now listening on" line by default.</param>
    private Service Start(string name, string dll, Dictionary<string, string> settings, string[] args, Func<string, string?>? listening = null)
    {
        // From its own directory, as its image runs it, so that it finds its appsettings.json.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start.");
        var service = new Service(name, process, listening ?? Service.KestrelListening);
        process.OutputDataReceived += (_, e) => service.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => service.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_services)
        {
            _services.Add(service);
        }

        return service;
    }

    public async ValueTask DisposeAsync()
    {
        List<Service> services;
        lock (_services)
        {
            services = [.. _services];
            _services.Clear();
        }

        foreach (var service in services)
        {
            await service.DisposeAsync();
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Berth.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from its build output inside the repository.");
    }

    private static async Task RunAsync(string file, string[] args, bool mayFail)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 && !mayFail)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {error}");
        }
    }
}

/// <summary>One service process: where it answers, and the most memory it has held.</summary>
public sealed class Service(string name, Process process, Func<string, string?> listening) : IAsyncDisposable
{
    private const string ListeningLine = "Now listening on: ";

    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => name;

    /// <summary>Where it listens, as it said itself; known once <see cref="ListeningAsync"/> has returned.</summary>
    public Uri Url => _url ?? throw new InvalidOperationException($"{name} has not said where it listens yet.");

    private Uri? _url;

    public async Task<Uri> ListeningAsync()
    {
        try
        {
            return await _listening.Task.WaitAsync(TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{name} did not start listening within 90 s{(process.HasExited ? $"; it exited with {process.ExitCode}" : "")}.");
        }
    }

    public static string? KestrelListening(string line)
    {
        var at = line.IndexOf(ListeningLine, StringComparison.Ordinal);
        return at >= 0 ? line[(at + ListeningLine.Length)..].Trim() : null;
    }

    internal void OnLine(string? line)
    {
        if (line is not null && listening(line) is { } url)
        {
            _url ??= new Uri(url);
            _listening.TrySetResult(_url);
        }
    }

    /// <summary>CPU time the process has used so far, user and system.</summary>
    public TimeSpan CpuTime()
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    /// <summary>Peak resident memory (VmHWM), in MiB.</summary>
    public double PeakMemoryMb()
    {
        var line = File.ReadLines($"/proc/{process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    public async Task WaitUntilReadyAsync()
    {
        var url = await ListeningAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode} while starting.");
            }

            try
            {
                if ((await http.GetAsync(new Uri(url, "/health/ready"))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{name} was not ready within 90 s.");
            }

            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
