using Berth.Planner.Executors;
using Microsoft.Extensions.Time.Testing;

namespace Berth.UnitTests.Planner;

public sealed class ExecutorRegistryTests
{
    [Fact]
    public void Should_report_a_silent_executor_once_until_it_is_heard_again()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_790_000_000));
        var registry = new ExecutorRegistry(clock);
        registry.Heard("a");
        registry.Heard("b");

        clock.Advance(TimeSpan.FromSeconds(20));
        registry.Heard("b");
        clock.Advance(TimeSpan.FromSeconds(15));

        Assert.Equal(["a"], registry.TakeSilent(TimeSpan.FromSeconds(30)).Select(s => s.ExecutorId));
        Assert.Empty(registry.TakeSilent(TimeSpan.FromSeconds(30)));

        registry.Heard("a");
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(["a", "b"], registry.TakeSilent(TimeSpan.FromSeconds(30)).Select(s => s.ExecutorId).Order());
    }

    [Fact]
    public void Should_count_executor_silence_only_from_when_the_planner_listened_again_after_a_broker_outage()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_790_000_000));
        var registry = new ExecutorRegistry(clock);
        registry.Heard("a");
        var window = TimeSpan.FromSeconds(30);

        // The broker is away for a minute: the planner hears nothing, and nothing could be heard.
        clock.Advance(TimeSpan.FromSeconds(60));
        Assert.False(registry.AnyAlive(window));
        registry.Listening();

        Assert.True(registry.AnyAlive(window));
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.True(registry.AnyAlive(window));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.False(registry.AnyAlive(window));
    }

    [Fact]
    public void Should_report_a_silent_executor_again_when_its_report_could_not_be_published()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_790_000_000));
        var registry = new ExecutorRegistry(clock);
        registry.Heard("a");
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(["a"], registry.TakeSilent(TimeSpan.FromSeconds(30)).Select(s => s.ExecutorId));

        registry.ReportFailed("a");

        Assert.Equal(["a"], registry.TakeSilent(TimeSpan.FromSeconds(30)).Select(s => s.ExecutorId));
        Assert.Empty(registry.TakeSilent(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Should_not_report_an_executor_again_when_it_was_heard_after_its_failed_report()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_790_000_000));
        var registry = new ExecutorRegistry(clock);
        registry.Heard("a");
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Single(registry.TakeSilent(TimeSpan.FromSeconds(30)));
        registry.Heard("a");

        registry.ReportFailed("a");

        Assert.Empty(registry.TakeSilent(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Should_report_an_executor_never_heard_from_once()
    {
        var registry = new ExecutorRegistry(new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_790_000_000)));
        registry.Heard("alive");

        Assert.False(registry.TryReportUnheard("alive"));
        Assert.True(registry.TryReportUnheard("ghost"));
        Assert.False(registry.TryReportUnheard("ghost"));
    }

    [Fact]
    public void Should_count_as_alive_for_an_image_only_an_executor_that_serves_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_790_000_000));
        var registry = new ExecutorRegistry(clock);
        clock.Advance(TimeSpan.FromSeconds(60));
        registry.Heard("plain");
        registry.Heard("lab", ["default", "science"]);

        clock.Advance(TimeSpan.FromSeconds(10));
        registry.Heard("plain");
        Assert.True(registry.AnyAlive(TimeSpan.FromSeconds(30), "science"));
        Assert.False(registry.AnyAlive(TimeSpan.FromSeconds(30), "gpu"));

        clock.Advance(TimeSpan.FromSeconds(25));
        registry.Heard("lab");
        clock.Advance(TimeSpan.FromSeconds(25));
        Assert.True(registry.AnyAlive(TimeSpan.FromSeconds(30), "science"), "a heartbeat without images keeps those it named before");
        Assert.True(registry.AnyAlive(TimeSpan.FromSeconds(30)));

        clock.Advance(TimeSpan.FromSeconds(10));
        registry.Heard("plain");
        Assert.False(registry.AnyAlive(TimeSpan.FromSeconds(30), "science"));
        Assert.True(registry.AnyAlive(TimeSpan.FromSeconds(30), "default"));
    }
}
