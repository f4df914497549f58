using Berth.Contracts;
using Berth.Planner.Model;
using Berth.Planner.Responses;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Berth.UnitTests.Planner;

/// <summary>How a model's streamed text is gathered into stored events, on a fake clock.</summary>
public sealed class TextDeltaRelayTests : IAsyncLifetime
{
    private readonly InMemoryResponseStore _store = new();
    private readonly FakeTimeProvider _clock = new();
    private readonly ModelCancels _cancels = new(TimeProvider.System);
    private ServiceProvider _bus = null!;
    private TextDeltaRelay _relay = null!;
    private string _responseId = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _bus = new ServiceCollection().AddMassTransitTestHarness().BuildServiceProvider(validateScopes: true);
        await _bus.GetRequiredService<ITestHarness>().Start();
        _relay = new TextDeltaRelay(_store, _bus.GetRequiredService<ITestHarness>().Bus, _cancels, _clock);
        _responseId = $"resp_{Guid.NewGuid():N}";
        await _store.TryAddAsync(new StoredResponse(new ResponseSnapshot
        {
            Id = _responseId,
            SessionId = Guid.NewGuid(),
            Status = ResponseStatuses.InProgress,
            Model = "scripted",
        }, [new InputMessage("user", "hi")]), CancellationToken.None);
    }

    public async ValueTask DisposeAsync() => await _bus.DisposeAsync();

    [Fact]
    public async Task Should_write_the_first_piece_at_once_and_gather_the_next_until_50_ms_pass_when_tokens_come_fast()
    {
        await using var text = _relay.Open(_responseId, 1, firstAtOnce: true);

        await text.AppendAsync("Hello", Token);
        Assert.Equal(["Hello"], await DeltasAsync());

        await text.AppendAsync(" wor", Token);
        await text.AppendAsync("ld", Token);
        _clock.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Equal(["Hello"], await DeltasAsync());

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(["Hello", " world"], await DeltasAsync());
        Assert.Equal([StreamEventTypes.ItemAdded, StreamEventTypes.PartAdded, StreamEventTypes.TextDelta, StreamEventTypes.TextDelta], await TypesAsync());
    }

    [Fact]
    public async Task Should_gather_from_the_first_piece_when_no_client_waits_on_the_stream()
    {
        await using var text = _relay.Open(_responseId, 1, firstAtOnce: false);

        await text.AppendAsync("Quick", Token);
        await text.AppendAsync(" answer", Token);
        Assert.Empty(await DeltasAsync());

        await text.CompleteAsync(Token);
        Assert.Equal(["Quick answer"], await DeltasAsync());
    }

    [Fact]
    public async Task Should_write_at_once_when_64_characters_wait()
    {
        await using var text = _relay.Open(_responseId, 1, firstAtOnce: true);
        await text.AppendAsync("a", Token);

        await text.AppendAsync(new string('b', 40), Token);
        await text.AppendAsync(new string('c', 24), Token);

        Assert.Equal(["a", new string('b', 40) + new string('c', 24)], await DeltasAsync());
    }

    [Fact]
    public async Task Should_write_each_piece_as_it_comes_when_the_model_is_slower_than_50_ms()
    {
        await using var text = _relay.Open(_responseId, 1, firstAtOnce: true);

        foreach (var word in new[] { "one ", "two ", "three" })
        {
            await text.AppendAsync(word, Token);
            _clock.Advance(TimeSpan.FromMilliseconds(80));
        }

        Assert.Equal(["one ", "two ", "three"], await DeltasAsync());
    }

    [Fact]
    public async Task Should_write_what_waits_when_the_model_is_done()
    {
        await using var text = _relay.Open(_responseId, 1, firstAtOnce: true);
        await text.AppendAsync("x", Token);
        await text.AppendAsync("y", Token);

        await text.CompleteAsync(Token);

        Assert.Equal(["x", "y"], await DeltasAsync());
        Assert.True(text.Started);
    }

    [Fact]
    public async Task Should_write_nothing_more_when_the_response_was_cancelled()
    {
        await using var text = _relay.Open(_responseId, 1, firstAtOnce: true);
        await text.AppendAsync("before ", Token);

        _cancels.Remember(_responseId);
        await text.AppendAsync("after", Token);
        await text.CompleteAsync(Token);

        Assert.Equal(["before "], await DeltasAsync());
    }

    private async Task<List<string>> DeltasAsync() =>
        [.. (await _store.ReadEventsAsync(_responseId, -1, 100, CancellationToken.None))!.Where(e => e.Type == StreamEventTypes.TextDelta).Select(e => e.Text!)];

    private async Task<List<string>> TypesAsync() =>
        [.. (await _store.ReadEventsAsync(_responseId, -1, 100, CancellationToken.None))!.Select(e => e.Type)];
}
