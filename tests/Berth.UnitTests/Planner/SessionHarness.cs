using Berth.Contracts;
using Berth.Planner;
using Berth.Planner.Responses;
using Berth.Planner.Sessions;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.UnitTests.Planner;

/// <summary>The session saga on MassTransit's in-memory test harness, with the in-memory response store.</summary>
public sealed class SessionHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private SessionHarness(ServiceProvider provider)
    {
        _provider = provider;
        Harness = provider.GetRequiredService<ITestHarness>();
        Sagas = Harness.GetSagaStateMachineHarness<SessionStateMachine, SessionState>();
        Store = provider.GetRequiredService<IResponseStore>();
    }

    public ITestHarness Harness { get; }
    public ISagaStateMachineTestHarness<SessionStateMachine, SessionState> Sagas { get; }
    public IResponseStore Store { get; }

    /// <param name="crashingModelCaller">Puts a model caller on the model queue that throws, as a bug would.</param>
    /// <param name="maxFinishedTextChars">The largest response, in characters of text, sent whole with <c>ResponseFinished</c>.</param>
    public static async Task<SessionHarness> StartAsync(int maxModelCalls = 50, bool crashingModelCaller = false, int maxFinishedTextChars = 64 * 1024)
    {
        var provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IResponseStore, InMemoryResponseStore>()
            .AddScoped<SessionLoop>()
            .AddSingleton<ResponseEvents>()
            .Configure<PlannerOptions>(o =>
            {
                o.MaxModelCalls = maxModelCalls;
                o.MaxFinishedTextChars = maxFinishedTextChars;
            })
            .AddMassTransitTestHarness(bus =>
            {
                bus.AddSagaStateMachine<SessionStateMachine, SessionState, SessionStateMachineDefinition>();
                if (crashingModelCaller)
                {
                    bus.AddConsumer<CrashingModelCaller>().Endpoint(e => e.Name = Endpoints.ModelQueue);
                }
            })
            .BuildServiceProvider(validateScopes: true);

        var harness = new SessionHarness(provider);
        await harness.Harness.Start();
        return harness;
    }

    /// <summary>Stores a response and queues it, as the intake does.</summary>
    public async Task<string> QueueAsync(Guid sessionId, int? maxToolCalls = null, string? previousResponseId = null)
    {
        var responseId = $"resp_{Guid.NewGuid():N}";
        await Store.TryAddAsync(new StoredResponse(new ResponseSnapshot
        {
            Id = responseId,
            SessionId = sessionId,
            Status = ResponseStatus.Queued,
            Model = "scripted",
            PreviousResponseId = previousResponseId,
            Shell = new ShellToolSpec(),
            MaxToolCalls = maxToolCalls,
            CreatedAt = DateTimeOffset.UtcNow,
        }, [new InputMessage("user", "hello")]), CancellationToken.None);

        await Harness.Bus.Publish(new ResponseQueued { SessionId = sessionId, ResponseId = responseId, MaxToolCalls = maxToolCalls });
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
        await ModelSaysAsync(sessionId, responseId, step, null, Call(callId, "true"));
        await NextToolCallAsync(callId);
        await ExecutorReportsAsync(sessionId, responseId, callId, executorId);
    }

    public async Task<CallModel> NextModelCallAsync(string responseId, int step)
    {
        Assert.True(await Harness.Sent.Any<CallModel>(m => m.Context.Message.ResponseId == responseId && m.Context.Message.Step == step),
            $"expected model call {step} of {responseId}");
        return Harness.Sent.Select<CallModel>(m => m.Context.Message.ResponseId == responseId && m.Context.Message.Step == step).First().Context.Message;
    }

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

    public Task ModelSaysAsync(Guid sessionId, string responseId, int step, string? text, params ShellCallSpec[] calls) =>
        Harness.Bus.Publish(new ModelResponded
        {
            SessionId = sessionId,
            ResponseId = responseId,
            Step = step,
            Text = text,
            ShellCalls = calls,
            Usage = new TokenUsage(10, 5),
        });

    public Task ExecutorReportsAsync(Guid sessionId, string responseId, string callId, string executorId = "exec-1", int exitCode = 0, string stdout = "ok\n") =>
        Harness.Bus.Publish(new ToolCallCompleted
        {
            SessionId = sessionId,
            ResponseId = responseId,
            CallId = callId,
            ExecutorId = executorId,
            ContainerId = "container-1",
            Outputs = [new CommandOutput { Stdout = stdout, ExitCode = exitCode }],
            MaxOutputLength = 100,
        });

    public static ShellCallSpec Call(string callId, params string[] commands) => new() { CallId = callId, Commands = commands };

    public async Task<ResponseSnapshot> ResponseAsync(string responseId) =>
        (await Store.FindAsync(responseId, CancellationToken.None))!.Snapshot;

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}

public sealed class CrashingModelCaller : IConsumer<CallModel>
{
    public Task Consume(ConsumeContext<CallModel> context) => throw new InvalidOperationException("model caller bug");
}
