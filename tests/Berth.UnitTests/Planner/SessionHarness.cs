using Berth.Contracts;
using Berth.Planner;
using Berth.Planner.Containers;
using Berth.Planner.Executors;
using Berth.Planner.Intake;
using Berth.Planner.Model;
using Berth.Planner.Responses;
using Berth.Planner.Sessions;
using Berth.Planner.Sessions.Activities;
using Berth.Planner.Tenants;
using Berth.ServiceDefaults.Models;
using Berth.ServiceDefaults.Payloads;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Berth.UnitTests.Planner;

/// <summary>The session saga on MassTransit's in-memory test harness, with the in-memory response store.</summary>
internal sealed class SessionHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly string _payloadDirectory;

    private SessionHarness(ServiceProvider provider, string payloadDirectory)
    {
        _provider = provider;
        _payloadDirectory = payloadDirectory;
        Payloads = provider.GetRequiredService<PayloadStore>();
        Harness = provider.GetRequiredService<ITestHarness>();
        Sagas = Harness.GetSagaStateMachineHarness<SessionStateMachine, SessionState>();
        Store = provider.GetRequiredService<IResponseStore>();
        Containers = provider.GetRequiredService<IContainerStore>();
        Model = (ScriptedTurns)provider.GetRequiredService<IModelCaller>();
        Clock = provider.GetRequiredService<FakeTimeProvider>();
        Executors = provider.GetRequiredService<ExecutorRegistry>();
        Watchdog = provider.GetRequiredService<ResponseWatchdog>();
    }

    public ITestHarness Harness { get; }
    public ISagaStateMachineTestHarness<SessionStateMachine, SessionState> Sagas { get; }
    public IResponseStore Store { get; }
    public IContainerStore Containers { get; }
    public ScriptedTurns Model { get; }

    /// <summary>The large-payload store, in a directory of this harness's own.</summary>
    public PayloadStore Payloads { get; }

    public string PayloadDirectory => _payloadDirectory;

    /// <summary>
    /// The planner's clock: deadlines and executor silence move only when a test advances it. Only
    /// the planner's own classes get it; MassTransit's harness keeps real time for its timeouts.
    /// </summary>
    public FakeTimeProvider Clock { get; }

    public ExecutorRegistry Executors { get; }

    /// <summary>Not running on its own: a test sweeps when it wants to.</summary>
    public ResponseWatchdog Watchdog { get; }

    /// <param name="crashingModelCaller">A model caller that throws, as a bug would.</param>
    /// <param name="maxFinishedTextChars">The largest response, in characters of text, sent whole with <c>ResponseFinished</c>.</param>
    /// <param name="maxConcurrentSteps">Session steps the saga's endpoint runs at once.</param>
    /// <param name="tenants">Per-tenant settings, as <c>Tenants:&lt;tenant&gt;:&lt;Setting&gt;</c> would give.</param>
    /// <param name="catalog">The operator's model catalog; none by default.</param>
    /// <param name="approvalPatterns">The operator's <c>Planner:ApprovalPatterns</c>.</param>
    public static async Task<SessionHarness> StartAsync(int maxModelCalls = 50, bool crashingModelCaller = false, int maxFinishedTextChars = 64 * 1024,
        Action<TenantOptions>? tenants = null, int inlinePayloadBytes = 256 * 1024, int maxConcurrentSteps = 64, ModelCatalog? catalog = null,
        IReadOnlyList<string>? approvalPatterns = null)
    {
        var payloadDirectory = Path.Combine(Path.GetTempPath(), $"berth-harness-payloads-{Guid.NewGuid():N}");
        var provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IResponseStore, InMemoryResponseStore>()
            .AddSingleton<IContainerStore, InMemoryContainerStore>()
            .AddSingleton<SessionContainers>()
            .AddSingleton<SessionPlacement>()
            .AddSingleton<Berth.Planner.Snapshots.WorkspaceArchives>()
            .AddSingleton<ForkSeeds>()
            .AddSingleton<Berth.Planner.Snapshots.IWorkspaceSnapshotStore, Berth.Planner.Snapshots.InMemoryWorkspaceSnapshotStore>()
            .AddSingleton<TenantAdmission>()
            .Configure<TenantOptions>(tenants ?? (_ => { }))
            .AddSingleton(new FakeTimeProvider(DateTimeOffset.UtcNow))
            .AddSessionSteps()
            .AddScoped(services => ActivatorUtilities.CreateInstance<ResponseLifecycle>(services, ClockOf(services)))
            .AddScoped(services => ActivatorUtilities.CreateInstance<ShellCallSteps>(services, ClockOf(services)))
            .AddScoped(services => ActivatorUtilities.CreateInstance<ApplyToolResultActivity>(services, ClockOf(services)))
            .AddSingleton<IModelCaller>(new ScriptedTurns { Crash = crashingModelCaller })
            .AddSingleton<TokenCounter>()
            .AddSingleton<ContextCheck>()
            .AddSingleton<ModelFiles>()
            .AddSingleton<Berth.Planner.Conversations.IConversationStore, Berth.Planner.Conversations.InMemoryConversationStore>()
            .AddSingleton<Berth.Planner.Conversations.ConversationHistory>()
            .AddSingleton<CompactionSeal>()
            .AddSingleton(Options.Create(catalog ?? new ModelCatalog()))
            .AddSingleton<ModelCancels>()
            .AddSingleton<ModelTurns>()
            .AddSingleton(TimeProvider.System)
            .AddSingleton<IPayloadRepository>(new FileSystemPayloadRepository(payloadDirectory, TimeProvider.System))
            .AddSingleton<PayloadStore>()
            .Configure<PayloadOptions>(o => o.InlineBytes = inlinePayloadBytes)
            .AddSingleton(services => new ExecutorRegistry(ClockOf(services)))
            .AddSingleton<ResponseEvents>()
            .AddSingleton(services => ActivatorUtilities.CreateInstance<ResponseEnding>(services, ClockOf(services)))
            .AddSingleton(services => ActivatorUtilities.CreateInstance<ResponseWatchdog>(services, ClockOf(services)))
            .Configure<PlannerOptions>(o =>
            {
                o.MaxModelCalls = maxModelCalls;
                o.MaxFinishedTextChars = maxFinishedTextChars;
                o.MaxConcurrentSteps = maxConcurrentSteps;
                o.ApprovalPatterns = [.. approvalPatterns ?? []];
            })
            .AddMassTransitTestHarness(bus =>
            {
                // The default inactivity timeout (6 s) lost messages that were coming when the two cores were busy
                // starting the integration stack beside these tests; absence is checked through SentSoFar and its kin instead.
                bus.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(60), testInactivityTimeout: TimeSpan.FromSeconds(30));
                bus.AddSagaStateMachine<SessionStateMachine, SessionState, SessionStateMachineDefinition>();
                bus.AddConsumer<AskModelConsumer, AskModelConsumerDefinition>();
                bus.AddConsumer<ModelCallCanceller>();
                bus.AddConsumer<CancelResponseConsumer>();
                bus.AddConsumer<CreateContainerConsumer>();
                bus.AddConsumer<ContainerRemovedConsumer>();
                bus.AddConsumer<TaskSubmittedConsumer>();
                bus.AddConsumer<GetResponseConsumer>();
                bus.AddConsumer<GetResponseEventsConsumer>();
                bus.AddConsumer<SessionStepFaultConsumer, SessionStepFaultConsumerDefinition>();
            })
            .BuildServiceProvider(validateScopes: true);

        var harness = new SessionHarness(provider, payloadDirectory);
        await harness.Harness.Start();
        return harness;
    }

    /// <summary>
    /// How long a check of what was sent (or of what was not) keeps looking after the event it waited for: the
    /// harness's own lists, enumerated whole, would wait out its inactivity timeout.
    /// </summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    /// <summary>The messages of a kind sent so far and within <see cref="Settle"/>.</summary>
    public IReadOnlyList<ISentMessage<T>> SentSoFar<T>(FilterDelegate<ISentMessage<T>>? filter = null)
        where T : class => Settled(token => Harness.Sent.Select(filter ?? (_ => true), token));

    /// <summary>The messages of a kind published so far and within <see cref="Settle"/>.</summary>
    public IReadOnlyList<IPublishedMessage<T>> PublishedSoFar<T>(FilterDelegate<IPublishedMessage<T>>? filter = null)
        where T : class => Settled(token => Harness.Published.Select(filter ?? (_ => true), token));

    /// <summary>The messages of a kind the session saga consumed so far and within <see cref="Settle"/>.</summary>
    public IReadOnlyList<IReceivedMessage<T>> SagaConsumedSoFar<T>(FilterDelegate<IReceivedMessage<T>>? filter = null)
        where T : class => Settled(token => Sagas.Consumed.Select(filter ?? (_ => true), token));

    private static List<TMessage> Settled<TMessage>(Func<CancellationToken, IEnumerable<TMessage>> select)
    {
        using var window = new CancellationTokenSource(Settle);
        return [.. select(window.Token)];
    }

    private static FakeTimeProvider ClockOf(IServiceProvider services) => services.GetRequiredService<FakeTimeProvider>();

    /// <summary>Stores a response and queues it, as the intake does.</summary>
    /// <param name="shell">The response's shell tool; a plain <c>container_auto</c> by default.</param>
    /// <param name="input">Its input; a user's "hello" by default.</param>
    /// <param name="interrupts">The running response it interrupts, as the intake says for <c>interrupt: true</c>.</param>
    public async Task<string> QueueAsync(Guid sessionId, int? maxToolCalls = null, string? previousResponseId = null,
        ShellToolSpec? shell = null, IReadOnlyList<InputMessage>? input = null, string? interrupts = null)
    {
        var responseId = await StoreAsync(sessionId, maxToolCalls, previousResponseId, shell, input);
        await Harness.Bus.Publish(new ResponseQueued { SessionId = sessionId, ResponseId = responseId, MaxToolCalls = maxToolCalls, Interrupts = interrupts });
        return responseId;
    }

    /// <summary>Stores a response, queued, without telling its session: as if the session were too busy to hear of it.</summary>
    public async Task<string> StoreAsync(Guid sessionId, int? maxToolCalls = null, string? previousResponseId = null,
        ShellToolSpec? shell = null, IReadOnlyList<InputMessage>? input = null)
    {
        var responseId = $"resp_{Guid.NewGuid():N}";
        await Store.TryAddAsync(new StoredResponse(new ResponseSnapshot
        {
            Id = responseId,
            SessionId = sessionId,
            Status = ResponseStatuses.Queued,
            Model = "scripted",
            PreviousResponseId = previousResponseId,
            Shell = shell ?? new ShellToolSpec(),
            MaxToolCalls = maxToolCalls,
            CreatedAt = DateTimeOffset.UtcNow,
        }, input ?? [new InputMessage("user", "hello")]), CancellationToken.None);
        return responseId;
    }

    /// <summary>A new session with one response queued, waiting on its first model call.</summary>
    public async Task<(Guid SessionId, string ResponseId)> BeginAsync(int? maxToolCalls = null)
    {
        var sessionId = Guid.NewGuid();
        var responseId = await QueueAsync(sessionId, maxToolCalls);
        await NextModelCallAsync(responseId, 1);
        return (sessionId, responseId);
    }

    /// <summary>The model makes one shell call at this step, and an executor runs it.</summary>
    public async Task RunCallAsync(Guid sessionId, string responseId, int step, string callId, string executorId = "exec-1")
    {
        ModelSays(responseId, step, null, Call(callId, "true"));
        await NextToolCallAsync(callId);
        await ExecutorReportsAsync(sessionId, responseId, callId, executorId);
    }

    /// <summary>Waits until the model is asked for this step; returns the session it was asked for.</summary>
    public Task<Guid> NextModelCallAsync(string responseId, int step) => Model.AskedAsync(responseId, step);

    public async Task<ISentMessage<ToolCallRequested>> NextToolCallAsync(string callId)
    {
        Assert.True(await Harness.Sent.Any<ToolCallRequested>(m => m.Context.Message.CallId == callId), $"expected tool call {callId}");
        return Harness.Sent.Select<ToolCallRequested>(m => m.Context.Message.CallId == callId).First();
    }

    public async Task<ResponseFinished> FinishedAsync(string responseId)
    {
        Assert.True(await Harness.Published.Any<ResponseFinished>(m => m.Context.Message.ResponseId == responseId), $"expected {responseId} to finish");
        return Harness.Published.Select<ResponseFinished>(m => m.Context.Message.ResponseId == responseId).First().Context.Message;
    }

    /// <summary>The model answers the step; the session's step waiting on it goes on.</summary>
    public void ModelSays(string responseId, int step, string? text, params ShellCallSpec[] calls) =>
        Model.Answer(responseId, step, new ModelTurn { Text = text, ShellCalls = calls, Usage = new TokenUsage(10, 5) });

    public Task ExecutorReportsAsync(Guid sessionId, string responseId, string callId, string executorId = "exec-1", int exitCode = 0, string stdout = "ok\n",
        string containerId = "container-1") =>
        Harness.Bus.Publish(new ToolCallCompleted
        {
            SessionId = sessionId,
            ResponseId = responseId,
            CallId = callId,
            ExecutorId = executorId,
            ContainerId = containerId,
            Outputs = [new CommandOutput { Stdout = stdout, ExitCode = exitCode }],
            MaxOutputLength = 100,
        });

    /// <summary>The executor could not run the call: no outputs, the error and its code.</summary>
    public Task ExecutorFailsAsync(Guid sessionId, string responseId, string callId, string error, string? errorCode = null) =>
        Harness.Bus.Publish(new ToolCallCompleted
        {
            SessionId = sessionId,
            ResponseId = responseId,
            CallId = callId,
            ExecutorId = "exec-1",
            Outputs = [],
            Error = error,
            ErrorCode = errorCode,
        });

    public static ShellCallSpec Call(string callId, params string[] commands) => new() { CallId = callId, Commands = commands };

    public async Task<ResponseSnapshot> ResponseAsync(string responseId) =>
        (await Store.FindAsync(responseId, CancellationToken.None))!.Snapshot;

    public async ValueTask DisposeAsync()
    {
        Model.GiveUp();
        await Harness.Stop();
        await _provider.DisposeAsync();
        if (Directory.Exists(_payloadDirectory))
        {
            Directory.Delete(_payloadDirectory, recursive: true);
        }
    }
}
