using Berth.Contracts;
using Berth.Planner.Model;
using Berth.Planner.Responses;
using Berth.ScriptedModel;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Berth.UnitTests.Planner;

/// <summary>The planner's model client, through the real OpenAI SDK, against the scripted model on loopback.</summary>
public sealed class ModelCallerTests : IAsyncLifetime
{
    private readonly InMemoryResponseStore _store = new();
    private ScriptedModelServer _model = null!;
    private ModelCaller _caller = null!;

    public async ValueTask InitializeAsync()
    {
        _model = await ScriptedModelServer.StartAsync();
        var models = new ChatModels(Options.Create(new ModelOptions { BaseUrl = _model.BaseUrl.ToString(), MaxRetries = 1 }));
        _caller = new ModelCaller(_store, models, NullLogger<ModelCaller>.Instance);
    }

    public async ValueTask DisposeAsync() => await _model.DisposeAsync();

    private async Task<ModelTurn> StoreAndAskAsync(string input, bool withShell = true)
    {
        var responseId = $"resp_{Guid.NewGuid():N}";
        var sessionId = Guid.NewGuid();
        await _store.TryAddAsync(new StoredResponse(new ResponseSnapshot
        {
            Id = responseId,
            SessionId = sessionId,
            Status = ResponseStatuses.InProgress,
            Model = "scripted",
            Shell = withShell ? new ShellToolSpec() : null,
        }, [new InputMessage("user", input)]), CancellationToken.None);

        return await _caller.AskAsync(sessionId, responseId, 1, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Should_report_the_shell_call_the_model_made()
    {
        var turn = await StoreAndAskAsync("[timeout_ms=250] echo hi");

        Assert.Null(turn.Error);
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
        var turn = await StoreAndAskAsync("hello", withShell: false);

        Assert.Null(turn.Error);
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

        var turn = await StoreAndAskAsync("echo hi");

        Assert.Equal(code, turn.Error?.Code);
        Assert.Contains($"HTTP {status}", turn.Error?.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Scripted failure", turn.Error?.Message, StringComparison.Ordinal);

        // The SDK retries 429 and 5xx (MaxRetries = 1 here) and nothing else.
        var expectedAttempts = status is 429 or 500 ? 2 : 1;
        Assert.Equal(expectedAttempts, _model.Requests.Count);
    }

    [Fact]
    public async Task Should_fail_the_step_when_the_model_endpoint_is_unreachable()
    {
        await _model.DisposeAsync();

        var turn = await StoreAndAskAsync("echo hi");

        Assert.Equal("model_unavailable", turn.Error?.Code);
    }

    [Fact]
    public async Task Should_fail_the_step_when_the_response_is_not_in_the_store()
    {
        var turn = await _caller.AskAsync(Guid.NewGuid(), "resp_missing", 1, TestContext.Current.CancellationToken);

        Assert.Equal("response_not_found", turn.Error?.Code);
        Assert.Empty(_model.Requests);
    }
}
