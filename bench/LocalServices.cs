using System.Diagnostics;

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

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string _broker;
    private readonly IReadOnlyDictionary<string, string> _common;
    private readonly List<ServiceProcess> _services = [];

    private LocalServices(string broker, IReadOnlyDictionary<string, string> common)
    {
        _broker = broker;
        _common = common;
    }

    /// <summary>Where the services' logs go, one file each, for a run that went wrong.</summary>
    public string LogDirectory { get; } = Path.Combine(Path.GetTempPath(), "berth-bench", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));

    public Uri ApiUrl { get; private set; } = null!;

    public ServiceProcess Api { get; private set; } = null!;

    public ServiceProcess Planner { get; private set; } = null!;

    public ServiceProcess Model { get; private set; } = null!;

    /// <param name="common">Settings every Berth service gets, such as where to export spans.</param>
    public static async Task<LocalServices> StartAsync(IReadOnlyDictionary<string, string>? common = null)
    {
        await RunAsync("rabbitmqctl", ["-q", "add_vhost", VirtualHost], mayFail: true);
        await RunAsync("rabbitmqctl", ["-q", "set_permissions", "-p", VirtualHost, "guest", ".*", ".*", ".*"], mayFail: false);
        var stack = new LocalServices($"amqp://guest:guest@127.0.0.1:5672/{VirtualHost}", common ?? new Dictionary<string, string>());
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
        var model = Model = Add(ServiceProcess.Start("scripted-model", BerthRepository.ScriptedModelDll, new Dictionary<string, string>(), LogDirectory,
            args: ["--urls", ServiceProcess.AnyFreePort], readyLine: "Berth scripted model",
            listeningAt: line => line.StartsWith("Berth scripted model", StringComparison.Ordinal) ? line[(line.LastIndexOf(' ') + 1)..] : null));
        var modelUrl = await model.ListeningAsync(StartTimeout);

        Planner = StartService("planner", new Dictionary<string, string>
        {
            ["OPENAI_BASE_URL"] = modelUrl.ToString(),
            ["Planner__Store"] = "InMemory",
        });
        Api = StartService("api", new Dictionary<string, string>());
        await Task.WhenAll(Planner.WaitUntilHealthyAsync(StartTimeout), Api.WaitUntilHealthyAsync(StartTimeout));
        ApiUrl = new Uri(Api.Url, "/v1/");
    }

    /// <param name="settings">Settings of this executor's own, over the benchmark's.</param>
    public async Task<ServiceProcess> StartExecutorAsync(string id, IReadOnlyDictionary<string, string>? settings = null)
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
        await executor.WaitUntilHealthyAsync(StartTimeout);
        return executor;
    }

    public async Task StopAsync(ServiceProcess service)
    {
        lock (_services)
        {
            _services.Remove(service);
        }

        await service.DisposeAsync();
    }

    private ServiceProcess StartService(string name, Dictionary<string, string> settings)
    {
        settings["ConnectionStrings__rabbitmq"] = _broker;
        settings["ASPNETCORE_URLS"] = ServiceProcess.AnyFreePort;
        settings["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in _common)
        {
            settings[key] = value;
        }

        return Add(ServiceProcess.StartService(name, name.Split('-')[0], settings, LogDirectory));
    }

    private ServiceProcess Add(ServiceProcess service)
    {
        lock (_services)
        {
            _services.Add(service);
        }

        return service;
    }

    public async ValueTask DisposeAsync()
    {
        List<ServiceProcess> services;
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
