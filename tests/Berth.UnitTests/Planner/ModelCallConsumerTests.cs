using Berth.Contracts;
using Berth.Planner.Model;
using Berth.Planner.Responses;
using Berth.ScriptedModel;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.UnitTests.Planner;

/// <summary>The planner's model client, through the real OpenAI SDK, against the scripted model on loopback.</summary>
/// <remarks>
/// The harness's <c>Select</c> enumerates until the bus has been quiet for the inactivity
/// timeout, so lookups take the first match rather than counting them all.
/// </remarks>
public sealed class ModelCallConsumerTests : IAsyncLifetime
{
    private ScriptedModelServer _model = null!;
    private ServiceProvider _provider = null!;
    private ITestHarness _harness = null!;

    public async ValueTask InitializeAsync()
    {
        _model = await ScriptedModelServer.StartAsync();
        _provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IResponseStore, InMemoryResponseStore>()
            .Configure<ModelOptions>(o =>
            {
                o.BaseUrl = _model.BaseUrl.ToString();
                o.MaxRetries = 1;
            })
            .AddSingleton<ChatModels>()
            .AddMassTransitTestHarness(bus =>
            {
                // Generous: a retried model call waits on the SDK's backoff with no bus traffic.
                bus.SetTestTimeouts(testInactivityTimeout: TimeSpan.FromSeconds(10));
                bus.AddConsumer<ModelCallConsumer>();
            })
            .BuildServiceProvider(validateScopes: true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
        await _model.DisposeAsync();
    }

    private async Task<CallModel> StoreAndCallAsync(string input, bool withShell = true)
    {
        var responseId = $"resp_{Guid.NewGuid():N}";
        await _provider.GetRequiredService<IResponseStore>().TryAddAsync(new StoredResponse(new ResponseSnapshot
        {
            Id = responseId,
            SessionId = Guid.NewGuid(),
            Status = ResponseStatus.InProgress,
            Model = "scripted",
            Shell = withShell ? new ShellToolSpec() : null,
        }, [new InputMessage("user", input)]), CancellationToken.None);

        var call = new CallModel { SessionId = Guid.NewGuid(), ResponseId = responseId, Step = 1 };
        await _harness.Bus.Publish(call);
        return call;
    }

    [Fact]
    public async Task Should_report_the_shell_call_the_model_made()
    {
        var call = await StoreAndCallAsync("[timeout_ms=250] echo hi");

        Assert.True(await _harness.Published.Any<ModelResponded>(m => m.Context.Message.ResponseId == call.ResponseId));
        var turn = _harness.Published.Select<ModelResponded>(m => m.Context.Message.ResponseId == call.ResponseId).First().Context.Message;
        var shell = Assert.Single(turn.ShellCalls);
        Assert.Equal(["echo hi"], shell.Commands);
        Assert.Equal(250, shell.TimeoutMs);
        Assert.StartsWith("call_", shell.CallId, StringComparison.Ordinal);
        Assert.True(turn.Usage.InputTokens > 0);
        Assert.Equal("shell", Assert.Single(Assert.Single(_model.Requests, r => r.LastUserText.Contains("echo hi", StringComparison.Ordinal)).ToolNames));
    }

    [Fact]
    public async Task Should_offer_no_tool_when_the_request_had_no_shell()
    {
        var call = await StoreAndCallAsync("hello", withShell: false);

        Assert.True(await _harness.Published.Any<ModelResponded>(m => m.Context.Message.ResponseId == call.ResponseId));
        var turn = _harness.Published.Select<ModelResponded>(m => m.Context.Message.ResponseId == call.ResponseId).First().Context.Message;
        Assert.Empty(turn.ShellCalls);
        Assert.Contains("No shell tool was offered", turn.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500, "model_unavailable")]
    [InlineData(429, "model_rate_limited")]
    [InlineData(400, "model_request_rejected")]
    [InlineData(401, "model_authentication_failed")]
    public async Task Should_fail_the_step_with_a_clear_code_when_the_model_endpoint_errors(int status, string code)
    {
        _model.UseScript(_ => ScriptedReply.Error(status));

        var call = await StoreAndCallAsync("echo hi");

        Assert.True(await _harness.Published.Any<ModelCallFailed>(m => m.Context.Message.ResponseId == call.ResponseId));
        var failure = _harness.Published.Select<ModelCallFailed>(m => m.Context.Message.ResponseId == call.ResponseId).First().Context.Message;
        Assert.Equal(code, failure.Code);
        Assert.Contains($"HTTP {status}", failure.Message, StringComparison.Ordinal);

        // The SDK retries 429 and 5xx (MaxRetries = 1 here) and nothing else.
        var expectedAttempts = status is 429 or 500 ? 2 : 1;
        Assert.Equal(expectedAttempts, _model.Requests.Count);
    }

    [Fact]
    public async Task Should_fail_the_step_when_the_model_endpoint_is_unreachable()
    {
        await _model.DisposeAsync();

        var call = await StoreAndCallAsync("echo hi");

        Assert.True(await _harness.Published.Any<ModelCallFailed>(m => m.Context.Message.ResponseId == call.ResponseId));
        Assert.Equal("model_unavailable", _harness.Published.Select<ModelCallFailed>().First().Context.Message.Code);
    }
}
