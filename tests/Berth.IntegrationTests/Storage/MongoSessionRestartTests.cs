using Berth.Contracts;
using Berth.IntegrationTests.Fixtures;
using Berth.Planner;
using Berth.Planner.Containers;
using Berth.Planner.Executors;
using Berth.Planner.Model;
using Berth.Planner.Mongo;
using Berth.Planner.Responses;
using Berth.Planner.Sessions;
using Berth.ServiceDefaults.Payloads;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using MongoDB.Driver;

namespace Berth.IntegrationTests.Storage;

/// <summary>
/// A planner that stops in the middle of a session, and another that picks it up: the session
/// saga and the response are read back from MongoDB, and the loop goes on where it was.
/// The model is an in-memory stand-in (the real caller is tested against a model server elsewhere).
/// </summary>
public sealed class MongoSessionRestartTests(MongoFixture mongo) : IClassFixture<MongoFixture>
{
    private static async Task<(ServiceProvider Provider, ITestHarness Harness)> StartPlannerAsync(IMongoDatabase database)
    {
        var provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton(database)
            .AddSingleton(TimeProvider.System)
            .AddSingleton<IResponseStore, MongoResponseStore>()
            .AddSingleton<IContainerStore, MongoContainerStore>()
            .AddSingleton<SessionContainers>()
            .AddSingleton<ExecutorRegistry>()
            .AddSingleton<ResponseEnding>()
            .AddSessionSteps()
            .AddSingleton<IPayloadRepository>(new FileSystemPayloadRepository(Path.Combine(Path.GetTempPath(), "berth-mongo-restart-payloads"), TimeProvider.System))
            .AddSingleton<PayloadStore>()
            .AddSingleton<IModelCaller, ShellThenDone>()
            .AddSingleton<ModelCancels>()
            .AddSingleton<ModelTurns>()
            .AddSingleton<ResponseEvents>()
            .Configure<PlannerOptions>(_ => { })
            .AddMassTransitTestHarness(bus =>
            {
                bus.AddSagaStateMachine<SessionStateMachine, SessionState, SessionStateMachineDefinition>()
                    .MongoRepository(MongoSetup.SessionsCollection);
                bus.AddConsumer<AskModelConsumer, AskModelConsumerDefinition>();
            })
            .BuildServiceProvider(validateScopes: true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        return (provider, harness);
    }

    [Fact]
    public async Task Should_resume_a_session_from_mongodb_when_the_planner_restarts_mid_response()
    {
        var database = mongo.NewDatabase();
        var sessionId = Guid.NewGuid();
        var responseId = $"resp_{Guid.NewGuid():N}";

        var (before, first) = await StartPlannerAsync(database);
        var store = before.GetRequiredService<IResponseStore>();
        await store.TryAddAsync(new StoredResponse(new ResponseSnapshot
        {
            Id = responseId,
            SessionId = sessionId,
            Status = ResponseStatuses.Queued,
            Model = "m",
            Shell = new ShellToolSpec(),
            CreatedAt = DateTimeOffset.UtcNow,
        }, [new InputMessage("user", "hi")]), CancellationToken.None);
        await first.Bus.Publish(new ResponseQueued { SessionId = sessionId, ResponseId = responseId });
        Assert.True(await first.Sent.Any<ToolCallRequested>(m => m.Context.Message.CallId == "call_1"));
        await first.Stop();
        await before.DisposeAsync();

        var (after, second) = await StartPlannerAsync(database);
        await using var _ = after;
        await second.Bus.Publish(new ToolCallCompleted
        {
            SessionId = sessionId,
            ResponseId = responseId,
            CallId = "call_1",
            ExecutorId = "exec-1",
            Outputs = [new CommandOutput { ExitCode = 0 }],
        });
        Assert.True(await second.Published.Any<ResponseFinished>(m => m.Context.Message.ResponseId == responseId));
        var response = (await after.GetRequiredService<IResponseStore>().FindAsync(responseId, CancellationToken.None))!.Snapshot;
        Assert.Equal(ResponseStatuses.Completed, response.Status);
        Assert.Equal(["shell_call", "shell_call_output", "message"], response.Output.Select(i => i.Type));
    }

    /// <summary>A model that makes one shell call, then says it is done.</summary>
    private sealed class ShellThenDone : IModelCaller
    {
        public Task<ModelTurn> AskAsync(Guid sessionId, string responseId, int stepNumber, CancellationToken cancellationToken) =>
            Task.FromResult(stepNumber == 1
                ? new ModelTurn { ShellCalls = [new ShellCallSpec { CallId = "call_1", Commands = ["true"] }] }
                : new ModelTurn { Text = "done" });
    }
}
