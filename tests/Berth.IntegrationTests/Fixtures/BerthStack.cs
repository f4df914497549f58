using Berth.ScriptedModel;
using Docker.DotNet.Models;

namespace Berth.IntegrationTests.Fixtures;

/// <summary>
/// The whole pipeline, as separate processes: api, planner and two executors over the real
/// broker and Docker engine, with the scripted model in this process on loopback. Started once
/// for the collection; tests in it run one at a time and may swap the model's script.
/// </summary>
public class BerthStack : IAsyncLifetime
{
    private readonly List<ServiceProcess> _services = [];
    private readonly string _runId = Guid.NewGuid().ToString("N")[..8];

    public RabbitMqFixture RabbitMq { get; } = new();
    public DockerFixture Docker { get; } = new();
    public ScriptedModelServer Model { get; private set; } = null!;

    /// <summary>Where every service sends its traces, metrics and logs, as it would to a collector.</summary>
    public OtlpReceiver Telemetry { get; private set; } = null!;

    /// <summary>The planner's own port: health and metrics.</summary>
    public Uri PlannerUrl { get; private set; } = null!;

    /// <summary>The first executor's own port: health and metrics.</summary>
    public Uri ExecutorUrl { get; private set; } = null!;

    /// <summary>The model API key the planner is given: it must never show up in any exported span, metric or log.</summary>
    public const string ModelApiKey = "sk-berth-test-9f8e7d6c5b4a39281706";
    public Uri ApiBaseUrl { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string? UnavailableReason { get; private set; }
    public string LogDirectory { get; }

    /// <summary>Where the stack's services keep payloads too large for a message (<c>Payloads__Directory</c>).</summary>
    public string PayloadDirectory { get; }

    private readonly List<string> _executorIds;
    private Dictionary<string, string> _common = [];
    private ServiceProcess? _planner;
    private IReadOnlyDictionary<string, string> _plannerEnvironment = new Dictionary<string, string>();

    /// <summary>Every executor this run started, the two of the stack and any a test added.</summary>
    public IReadOnlyList<string> ExecutorIds
    {
        get
        {
            lock (_executorIds)
            {
                return [.. _executorIds];
            }
        }
    }

    private readonly string? _virtualHost;
    private readonly string? _brokerNodeName;

    /// <summary>The broker node of the stack's own, when it was made with one.</summary>
    public RabbitMqNode? BrokerNode { get; private set; }

    public BerthStack()
        : this(virtualHost: null, startExecutors: true)
    {
    }

    /// <param name="virtualHost">A RabbitMQ virtual host of the stack's own, made for it and deleted after it, so that what its tests do to the broker or to executor ids touches nothing else; null shares the default one.</param>
    /// <param name="startExecutors">Whether the stack starts its two executors; without them, tests start their own.</param>
    /// <param name="brokerNode">The name of a RabbitMQ node of the stack's own to run on (<see cref="BrokerNode"/>), for tests that stop the broker; null shares the tests' broker.</param>
    protected BerthStack(string? virtualHost, bool startExecutors, string? brokerNode = null)
    {
        _brokerNodeName = brokerNode;
        LogDirectory = Path.Combine(AppContext.BaseDirectory, "service-logs", _runId);
        PayloadDirectory = Path.Combine(Path.GetTempPath(), $"berth-payloads-{_runId}");
        _virtualHost = virtualHost is null ? null : $"{virtualHost}-{_runId}";
        _executorIds = startExecutors ? [$"test-{_runId}-a", $"test-{_runId}-b"] : [];
    }

    /// <summary>Settings a stack of another kind gives its planner, over the common ones.</summary>
    protected virtual (string Key, string Value)[] PlannerSettings => [];

    /// <summary>The broker's URI the services use, with the stack's virtual host.</summary>
    public string BrokerUri { get; private set; } = "";

    /// <summary>What executors of this stack label their containers with (<c>berth.deployment</c>): the broker's host, port and virtual host.</summary>
    public string Deployment => Berth.Executor.Identity.ExecutorIdentity.DeploymentOf(new Uri(BrokerUri));

    /// <summary>
    /// Starts an executor with the stack's settings and <paramref name="settings"/> (a test that
    /// leaves out <c>Executor__InstanceId</c> lets it choose its own), without waiting for it.
    /// Stopped with the stack.
    /// </summary>
    public ServiceProcess StartExecutor(string name, params (string Key, string Value)[] settings)
    {
        var executor = ServiceProcess.StartService(name, "executor", With(With(_common,
            ("ASPNETCORE_URLS", ServiceProcess.AnyFreePort),
            ("Executor__Image", DockerFixture.SandboxImage),
            ("Executor__HeartbeatSeconds", "1"),
            // Small enough for a test to pass it with one file (WorkspaceSnapshotsApiTests).
            ("Executor__MaxSnapshotMb", "2")), settings), LogDirectory);
        lock (_services)
        {
            _services.Add(executor);
        }

        return executor;
    }

    /// <summary>Starts one more executor, for tests that need a pool of three or one to kill. Stopped with the stack.</summary>
    public async Task<ServiceProcess> StartExecutorAsync(string suffix)
    {
        var executorId = $"test-{_runId}-{suffix}";
        lock (_executorIds)
        {
            _executorIds.Add(executorId);
        }

        var executor = StartExecutor(executorId);
        await executor.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        return executor;
    }

    /// <summary>
    /// Replaces the planner as a rolling restart does: stops it (SIGTERM), waits for it to end,
    /// and starts another with the same settings. Only meaningful on MongoDB: the in-memory
    /// store goes with the process.
    /// </summary>
    public async Task RestartPlannerAsync(string name, TimeSpan timeout)
    {
        await _planner!.StopAsync(timeout);
        var planner = ServiceProcess.StartService(name, "planner", _plannerEnvironment, LogDirectory);
        lock (_services)
        {
            _services.Add(planner);
        }

        _planner = planner;
        await planner.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        PlannerUrl = planner.Url;
    }

    public const string ScriptedModelName = "berth-scripted";

    /// <summary>The operator's <c>Planner:ApprovalPatterns</c>: a command with this word waits for approval in any request.</summary>
    public const string OperatorApprovalPattern = @"\bberth-operator-guarded\b";
    public const string AliasModelName = "berth-alias";
    public const string AliasUpstreamName = "berth-scripted-upstream";
    public const string SmallModelName = "berth-small";
    public const int SmallModelContextTokens = 2048;
    public const string EightKModelName = "berth-8k";
    public const int EightKContextTokens = 8192;

    /// <summary>The planners' key for compaction items: every planner of a deployment shares one.</summary>
    public const string CompactionKey = "q2fQm3Qk9bO1m8y0rT0bq4vX5mD1n3xZ7cK2pL6wR8s=";

    /// <summary>Starts one more api instance on a port of its own, for tests that move between instances or kill one.</summary>
    public async Task<(ServiceProcess Process, HttpClient Http)> StartApiAsync(string name, params (string Key, string Value)[] settings)
    {
        var api = ServiceProcess.StartService(name, "api", With(With(_common, ("ASPNETCORE_URLS", ServiceProcess.AnyFreePort)), settings), LogDirectory);
        lock (_services)
        {
            _services.Add(api);
        }

        await api.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        return (api, new HttpClient { BaseAddress = new Uri(api.Url, "/v1/"), Timeout = TimeSpan.FromMinutes(2) });
    }

    private ServiceProcess StartExecutor(string executorId) =>
        StartExecutor($"executor-{executorId[^1]}", ("Executor__InstanceId", executorId));

    /// <summary>
    /// Called by each test first: skips it, with the reason, when RabbitMQ or Docker is missing
    /// here, and puts back the default model script that an earlier test may have replaced.
    /// </summary>
    public void BeginTest()
    {
        Assert.SkipWhen(UnavailableReason is not null, UnavailableReason ?? "");
        Model.UseScript(CommandRunnerScript.Reply);
    }

    public async ValueTask InitializeAsync()
    {
        await Docker.InitializeAsync();
        if (_brokerNodeName is not null)
        {
            UnavailableReason = RabbitMqNode.UnavailableReason ?? Docker.UnavailableReason;
            if (UnavailableReason is not null)
            {
                return;
            }

            BrokerNode = await RabbitMqNode.StartAsync($"{_brokerNodeName}-{_runId}");
            BrokerUri = BrokerNode.BrokerUri;
        }
        else
        {
            await RabbitMq.InitializeAsync();
            UnavailableReason = RabbitMq.UnavailableReason ?? Docker.UnavailableReason;
            if (UnavailableReason is not null)
            {
                return;
            }

            BrokerUri = RabbitMq.ConnectionString!;
        }

        if (_virtualHost is not null)
        {
            UnavailableReason = await AddVirtualHostAsync();
            if (UnavailableReason is not null)
            {
                return;
            }
        }

        Model = await ScriptedModelServer.StartAsync();
        Telemetry = await OtlpReceiver.StartAsync();
        // With a MongoDB at hand the same flow runs on it, in a database of its own; otherwise in
        // memory. Every service gets it: large payloads then go through its GridFS.
        var store = MongoFixture.ConfiguredUrl is { } mongo
            ? ("ConnectionStrings__mongodb", MongoFixture.WithDatabase(mongo, $"berth_e2e_{_runId}"))
            : ("Planner__Store", "InMemory");
        var common = _common = new Dictionary<string, string>
        {
            ["ConnectionStrings__rabbitmq"] = BrokerUri,
            [store.Item1] = store.Item2,
            ["Payloads__Directory"] = PayloadDirectory,
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Information",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Telemetry.Endpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",

            // A catalog, as a production deployment has one: the scripted model under its own
            // name, and again under an alias with its own address and upstream name. Tenant
            // capped may use the first only.
            ["Models__0__Id"] = ScriptedModelName,
            ["Models__1__Id"] = AliasModelName,
            ["Models__1__Name"] = AliasUpstreamName,
            ["Models__1__BaseUrl"] = Model.BaseUrl.ToString(),
            ["Tenants__capped__Models__0"] = ScriptedModelName,

            // The second sandbox image, which tenant boxed may not use (SandboxImagesTests).
            ["Images__0__Name"] = DockerFixture.ScienceImageName,
            ["Images__0__Reference"] = DockerFixture.ScienceImage,
            ["Tenants__boxed__Images__0"] = "default",

            // The scripted model again, with a context window small enough to fill in a test.
            ["Models__2__Id"] = SmallModelName,
            ["Models__2__Name"] = ScriptedModelName,
            ["Models__2__BaseUrl"] = Model.BaseUrl.ToString(),
            ["Models__2__ContextTokens"] = SmallModelContextTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),

            // And with a window a long run outgrows, for compaction's tests.
            ["Models__3__Id"] = EightKModelName,
            ["Models__3__Name"] = ScriptedModelName,
            ["Models__3__BaseUrl"] = Model.BaseUrl.ToString(),
            ["Models__3__ContextTokens"] = EightKContextTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        _plannerEnvironment = With(With(common,
            ("ASPNETCORE_URLS", ServiceProcess.AnyFreePort),
            ("OPENAI_BASE_URL", Model.BaseUrl.ToString()),
            ("OPENAI_API_KEY", ModelApiKey),
            // Only the tenants of the session- and container-limit tests are capped; every other
            // test runs as tenant local, or as tenants of their own, without a limit.
            ("Tenants__capped__MaxSessions", "1"),
            ("Tenants__boxed__MaxContainers", "1"),
            // Compaction's long run makes some two hundred model calls.
            ("Planner__MaxModelCalls", "250"),
            ("Planner__CompactionKey", CompactionKey),
            // The operator's own approval rule, which no request can lower (HumanInTheLoopTests).
            ("Planner__ApprovalPatterns__0", OperatorApprovalPattern),
            // The tests' webhook receivers listen on loopback, which tenants' webhooks may not
            // reach by default (WebhookTargetsTests checks the refusal).
            ("Webhooks__AllowPrivateNetworks", "true"),
            // Webhook retries a second apart, instead of over hours.
            ("Webhooks__RetryDelaysSeconds__0", "1"),
            ("Webhooks__RetryDelaysSeconds__1", "1"),
            ("Webhooks__RetryDelaysSeconds__2", "1"),
            ("Webhooks__RetryDelaysSeconds__3", "1")), PlannerSettings);
        var planner = ServiceProcess.StartService("planner", "planner", _plannerEnvironment, LogDirectory);
        _services.Add(planner);
        _planner = planner;
        var executors = ExecutorIds.Select(StartExecutor).ToList();
        var api = ServiceProcess.StartService("api", "api", With(common, ("ASPNETCORE_URLS", ServiceProcess.AnyFreePort)), LogDirectory);
        _services.Add(api);

        List<ServiceProcess> started;
        lock (_services)
        {
            started = [.. _services];
        }

        await Task.WhenAll(started.Select(s => s.WaitUntilReadyAsync(TimeSpan.FromSeconds(90))));
        PlannerUrl = planner.Url;
        ExecutorUrl = executors.FirstOrDefault()?.Url!;
        ApiBaseUrl = new Uri(api.Url, "/v1/");
        Http = new HttpClient { BaseAddress = ApiBaseUrl, Timeout = TimeSpan.FromMinutes(2) };
    }

    public async ValueTask DisposeAsync()
    {
        List<ServiceProcess> services;
        lock (_services)
        {
            services = [.. _services];
        }

        foreach (var service in services)
        {
            await service.DisposeAsync();
        }

        if (UnavailableReason is null)
        {
            Http?.Dispose();
            await Model.DisposeAsync();
            await Telemetry.DisposeAsync();
            await RemoveContainersAsync();
        }

        if (_virtualHost is not null && UnavailableReason is null)
        {
            await VirtualHosts.DeleteAsync(_virtualHost);
        }

        if (Directory.Exists(PayloadDirectory))
        {
            Directory.Delete(PayloadDirectory, recursive: true);
        }

        await Docker.DisposeAsync();
        await RabbitMq.DisposeAsync();
        if (BrokerNode is not null)
        {
            await BrokerNode.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Makes the stack's virtual host; otherwise says why the stack cannot run.</summary>
    private async Task<string?> AddVirtualHostAsync()
    {
        if (RabbitMq.Source != "ConnectionStrings__rabbitmq")
        {
            return $"These tests need a virtual host of their own on a local broker, made with rabbitmqctl; the broker here is {RabbitMq.Source}.";
        }

        var (broker, reason) = await VirtualHosts.AddAsync(new Uri(BrokerUri), _virtualHost!);
        BrokerUri = broker?.AbsoluteUri ?? BrokerUri;
        return reason;
    }

    /// <summary>The containers this run's executors made: session containers and warm ones.</summary>
    public async Task<IList<ContainerListResponse>> ContainersAsync()
    {
        var all = await Docker.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { ["berth.managed=true"] = true } },
        });
        return [.. all.Where(c => (c.Labels.TryGetValue("berth.executor", out var owner) && ExecutorIds.Contains(owner))
            || (_virtualHost is not null && c.Labels.TryGetValue("berth.deployment", out var deployment) && deployment == Deployment))];
    }

    public string Logs => $"service logs: {LogDirectory}";

    /// <summary>What the stack's planner has printed so far.</summary>
    public string PlannerOutput() => _planner!.Output();

    private async Task RemoveContainersAsync()
    {
        foreach (var container in await ContainersAsync())
        {
            await Docker.Client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
        }
    }

    private static Dictionary<string, string> With(Dictionary<string, string> common, params (string Key, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>(common);
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return environment;
    }
}

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<BerthStack>
{
    public const string Name = "Berth stack";
}
