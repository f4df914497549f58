using Berth.Contracts;
using Berth.Planner.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.UnitTests.Planner;

/// <summary>What a session step's model call keeps and stops, in memory with <see cref="ScriptedTurns"/> as the model.</summary>
public sealed class ModelTurnsTests
{
    private readonly ScriptedTurns _model = new();
    private readonly ModelTurns _turns;

    public ModelTurnsTests() => _turns = new ModelTurns(_model, new ModelCancels(TimeProvider.System), TimeProvider.System, NullLogger<ModelTurns>.Instance);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Should_take_the_kept_answer_instead_of_asking_again_when_a_step_is_retried()
    {
        _model.Answer("resp_a", 1, new ModelTurn { Text = "first answer" });

        var first = await _turns.AskAsync(Guid.NewGuid(), "resp_a", 1, Token);
        var retried = await _turns.AskAsync(Guid.NewGuid(), "resp_a", 1, Token);

        Assert.Equal("first answer", first?.Text);
        Assert.Same(first, retried);
        Assert.Equal(1, _model.TimesAsked("resp_a", 1));
    }

    [Fact]
    public async Task Should_ask_for_the_next_step_when_the_step_before_it_was_answered()
    {
        _model.Answer("resp_a", 1, new ModelTurn { Text = "one" });
        _model.Answer("resp_a", 2, new ModelTurn { Text = "two" });

        Assert.Equal("one", (await _turns.AskAsync(Guid.NewGuid(), "resp_a", 1, Token))?.Text);
        Assert.Equal("two", (await _turns.AskAsync(Guid.NewGuid(), "resp_a", 2, Token))?.Text);
        Assert.Equal(1, _model.TimesAsked("resp_a", 2));
    }

    [Fact]
    public async Task Should_stop_the_call_in_flight_when_its_response_is_cancelled()
    {
        var asking = _turns.AskAsync(Guid.NewGuid(), "resp_a", 1, Token);
        await _model.AskedAsync("resp_a", 1);

        _turns.Cancel("resp_a");

        Assert.Null(await asking.WaitAsync(TimeSpan.FromSeconds(10), Token));
        await _model.CancelledAsync("resp_a", 1);
    }

    [Fact]
    public async Task Should_not_ask_the_model_when_the_response_was_cancelled_first()
    {
        _turns.Cancel("resp_a");

        Assert.Null(await _turns.AskAsync(Guid.NewGuid(), "resp_a", 1, Token));
        Assert.Equal(0, _model.TimesAsked("resp_a", 1));
    }

    [Fact]
    public async Task Should_leave_other_responses_calls_alone_when_one_is_cancelled()
    {
        var other = _turns.AskAsync(Guid.NewGuid(), "resp_b", 1, Token);
        await _model.AskedAsync("resp_b", 1);

        _turns.Cancel("resp_a");
        _model.Answer("resp_b", 1, new ModelTurn { Text = "still here" });

        Assert.Equal("still here", (await other.WaitAsync(TimeSpan.FromSeconds(10), Token))?.Text);
    }

    [Fact]
    public async Task Should_fail_the_turn_with_the_reason_when_the_caller_throws()
    {
        _model.Crash = true;

        var turn = await _turns.AskAsync(Guid.NewGuid(), "resp_a", 1, Token);

        Assert.Equal("server_error", turn?.Error?.Code);
        Assert.Contains("model caller bug", turn?.Error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_throw_rather_than_answer_when_the_planner_is_stopping()
    {
        using var stopping = new CancellationTokenSource();
        var asking = _turns.AskAsync(Guid.NewGuid(), "resp_a", 1, stopping.Token);
        await _model.AskedAsync("resp_a", 1);

        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => asking);
    }
}
