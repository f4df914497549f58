using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

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

    /// <param name="common">Settings every Berth service gets, such as where to export spans.</param>
    public static async Task<LocalServices> StartAsync(IReadOnlyDictionary<string, string>? common = null)
    {
        var root = FindRoot();
        var configuration = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        await RunAsync("rabbitmqctl", ["-q", "add_vhost", VirtualHost], mayFail: true);
        await RunAsync("rabbitmqctl", ["-q", "set_permissions", "-p", VirtualHost, "guest", ".*", ".*", ".*"], mayFail: false);
        var stack = new LocalServices(root, configuration, $"amqp://guest:guest@127.0.0.1:5672/{VirtualHost}", common ?? new Dictionary<string, string>());

        var modelPort = FreePort();
        stack.Start("scripted-model", Path.Combine(root, "tools", "scripted-model", "bin", configuration, "net10.0", "Berth.ScriptedModel.dll"),
            new Dictionary<string, string>(), args: ["--urls", $"http://127.0.0.1:{modelPort}"], url: null);
        await WaitForPortAsync(modelPort);

        stack.Planner = stack.StartService("planner", new Dictionary<string, string>
        {
            ["OPENAI_BASE_URL"] = $"http://127.0.0.1:{modelPort}/v1",
            ["Planner__Store"] = "InMemory",
        });
        stack.Api = stack.StartService("api", new Dictionary<string, string>());
        stack.ApiUrl = new Uri(stack.Api.Url, "/v1/");
        await Task.WhenAll(stack.Planner.WaitUntilReadyAsync(), stack.Api.WaitUntilReadyAsync());
        return stack;
    }

    public async Task<Service> StartExecutorAsync(string id)
    {
        var executor = StartService($"executor-{id}", new Dictionary<string, string>
        {
            ["Executor__InstanceId"] = id,
            ["Executor__MaxContainers"] = "100",
            ["Executor__HeartbeatSeconds"] = "1",
        });
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
        var port = FreePort();
        var project = name.Split('-')[0];
        settings["ConnectionStrings__rabbitmq"] = _broker;
        settings["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        settings["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in _common)
        {
            settings[key] = value;
        }

        var dll = Path.Combine(_root, "services", project, "bin", _configuration, "net10.0", $"Berth.{char.ToUpperInvariant(project[0])}{project[1..]}.dll");
        return Start(name, dll, settings, [], new Uri($"http://127.0.0.1:{port}"));
    }

    private Service Start(string name, string dll, Dictionary<string, string> settings, string[] args, Uri? url)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
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
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new Service(name, process, url ?? new Uri("http://127.0.0.1/"));
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
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
public sealed class Service(string name, Process process, Uri url) : IAsyncDisposable
{
    public string Name => name;

    public Uri Url => url;

    /// <summary>Peak resident memory (VmHWM), in MiB.</summary>
    public double PeakMemoryMb()
    {
        var line = File.ReadLines($"/proc/{process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    public async Task WaitUntilReadyAsync()
    {
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
