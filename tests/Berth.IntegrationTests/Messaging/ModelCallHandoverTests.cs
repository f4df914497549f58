using System.Collections.Concurrent;
using Berth.Contracts;
using Berth.IntegrationTests.Fixtures;
using Berth.Planner;
using Berth.Planner.Model;
using Berth.ServiceDefaults.Payloads;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Berth.IntegrationTests.Messaging;

/// <summary>
/// A planner that stops while the model thinks leaves the question to another planner: two
/// planners' model-call consumers in this process, on a virtual host of the test's own on the
/// real broker. The models are in-memory stand-ins (one that never answers, one that answers at
/// once); the real caller meets a real HTTP model server elsewhere.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ModelCallHandoverTests(BerthStack stack)
{
    [Fact]
    public async Task Should_answer_from_another_planner_when_the_planner_holding_the_model_call_stops()
    {
        Assert.SkipWhen(stack.RabbitMq.UnavailableReason is not null, stack.RabbitMq.UnavailableReason ?? "");
        var virtualHost = $"berth-handover-{Guid.NewGuid():N}";
        var (broker, reason) = await VirtualHosts.AddAsync(new Uri(stack.RabbitMq.ConnectionString!), virtualHost);
        Assert.SkipWhen(broker is null, reason ?? "");
        var payloads = Path.Combine(Path.GetTempPath(), virtualHost);
        var answered = new ConcurrentQueue<ModelAnswered>();
        var sessions = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(broker!);
            rabbit.ReceiveEndpoint(Endpoints.SessionsQueue, e => e.Handler<ModelAnswered>(context =>
            {
                answered.Enqueue(context.Message);
                return Task.CompletedTask;
            }));
        });
        var thinking = new NeverAnswers();
        IHost? first = null;
        IHost? second = null;
        try
        {
            await sessions.StartAsync(TestContext.Current.CancellationToken);
            first = await StartPlannerAsync(broker!, thinking, payloads);
            var ask = new AskModel { SessionId = Guid.NewGuid(), ResponseId = $"resp_{Guid.NewGuid():N}", Step = 1 };
            var calls = await sessions.GetSendEndpoint(Endpoints.ModelCalls);
            await calls.Send(ask, TestContext.Current.CancellationToken);
            await Eventually.TrueAsync(() => Task.FromResult(thinking.Asked.Contains(ask.ResponseId)), TimeSpan.FromSeconds(30), "the first planner to ask the model");

            second = await StartPlannerAsync(broker!, new AnswersAtOnce(), payloads);
            await first.StopAsync(TestContext.Current.CancellationToken);

            await Eventually.TrueAsync(() => Task.FromResult(!answered.IsEmpty), TimeSpan.FromSeconds(30), "the second planner's answer");
            var answer = Assert.Single(answered);
            Assert.Equal((ask.ResponseId, 1, "from the second planner"), (answer.ResponseId, answer.Step, answer.Turn?.Text));
            Assert.Contains(ask.ResponseId, thinking.Cancelled);
        }
        finally
        {
            foreach (var host in new[] { first, second })
            {
                if (host is not null)
                {
                    await host.StopAsync(CancellationToken.None);
                    host.Dispose();
                }
            }

            await sessions.StopAsync(CancellationToken.None);
            await VirtualHosts.DeleteAsync(virtualHost);
            if (Directory.Exists(payloads))
            {
                Directory.Delete(payloads, recursive: true);
            }
        }
    }

    /// <summary>A planner's model-call side, as the planner registers it, with its stop grace cut to 1 s.</summary>
    private static async Task<IHost> StartPlannerAsync(Uri broker, IModelCaller model, string payloads)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(model);
        builder.Services.AddSingleton<ModelCancels>();
        builder.Services.AddSingleton<ModelTurns>();
        builder.Services.AddSingleton<IPayloadRepository>(new FileSystemPayloadRepository(payloads, TimeProvider.System));
        builder.Services.AddSingleton<PayloadStore>();
        builder.Services.Configure<PlannerOptions>(_ => { });
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(options =>
        {
            options.WaitUntilStarted = true;
            options.ConsumerStopTimeout = TimeSpan.FromSeconds(1);
        });
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddConsumer<AskModelConsumer, AskModelConsumerDefinition>();
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(broker);
                rabbit.ConfigureEndpoints(context);
            });
        });
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        return host;
    }

    private sealed class NeverAnswers : IModelCaller
    {
        public ConcurrentBag<string> Asked { get; } = [];
        public ConcurrentBag<string> Cancelled { get; } = [];

        public async Task<ModelTurn> AskAsync(Guid sessionId, string responseId, int stepNumber, CancellationToken cancellationToken)
        {
            Asked.Add(responseId);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled.Add(responseId);
                throw;
            }

            return new ModelTurn();
        }
    }

    private sealed class AnswersAtOnce : IModelCaller
    {
        public Task<ModelTurn> AskAsync(Guid sessionId, string responseId, int stepNumber, CancellationToken cancellationToken) =>
            Task.FromResult(new ModelTurn { Text = "from the second planner" });
    }
}
