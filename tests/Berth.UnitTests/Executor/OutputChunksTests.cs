using System.Collections.Concurrent;
using Berth.Contracts;
using Berth.Executor.Sandbox;
using Berth.IntegrationTests.Fixtures;

namespace Berth.UnitTests.Executor;

public sealed class OutputChunksTests
{
    private static readonly ToolCallRequested Call = new()
    {
        SessionId = Guid.NewGuid(),
        ResponseId = "resp_1",
        CallId = "call_1",
        Commands = ["a", "b"],
    };

    [Fact]
    public async Task Should_hold_the_output_for_the_completion_when_the_call_ends_before_the_first_interval()
    {
        var sent = new ConcurrentQueue<ToolCallOutputProduced>();
        await using var chunks = new OutputChunks(Call, 1000, TimeSpan.FromHours(1), chunk => Enqueue(sent, chunk));

        chunks.Write(stderr: false, "one\n"u8);
        await chunks.NextCommandAsync();
        chunks.Write(stderr: true, "two\n"u8);
        await chunks.NextCommandAsync();
        var held = await chunks.CompleteAsync();

        Assert.Empty(sent);
        Assert.Equal([(0, 0, "one\n", ""), (1, 1, "", "two\n")], held.Select(c => (c.Chunk, c.CommandIndex, c.Stdout, c.Stderr)));
    }

    [Fact]
    public async Task Should_send_held_output_first_and_then_everything_at_once_when_a_command_outlasts_an_interval()
    {
        var sent = new ConcurrentQueue<ToolCallOutputProduced>();
        await using var chunks = new OutputChunks(Call, 1000, TimeSpan.FromMilliseconds(50), chunk => Enqueue(sent, chunk));

        chunks.Write(stderr: false, "fast\n"u8);
        await chunks.NextCommandAsync();
        chunks.Write(stderr: false, "slow, part 1\n"u8);
        await Eventually.TrueAsync(() => Task.FromResult(sent.Count == 2), TimeSpan.FromSeconds(10), "the interval to send the output");
        chunks.Write(stderr: false, "slow, part 2\n"u8);
        await chunks.NextCommandAsync();
        var held = await chunks.CompleteAsync();

        Assert.Empty(held);
        Assert.Equal([(0, 0, "fast\n"), (1, 1, "slow, part 1\n"), (2, 1, "slow, part 2\n")], sent.Select(c => (c.Chunk, c.CommandIndex, c.Stdout)));
    }

    [Fact]
    public async Task Should_cut_each_stream_at_the_limit_and_keep_characters_split_between_writes_whole()
    {
        await using var chunks = new OutputChunks(Call, 6, TimeSpan.FromHours(1), _ => Task.CompletedTask);
        var euro = "€"u8.ToArray();

        chunks.Write(stderr: false, euro.AsSpan(0, 1));
        chunks.Write(stderr: false, euro.AsSpan(1));
        chunks.Write(stderr: false, "abcdef"u8);
        var held = await chunks.CompleteAsync();

        Assert.Equal("€abc", Assert.Single(held).Stdout);
    }

    private static Task Enqueue(ConcurrentQueue<ToolCallOutputProduced> sent, ToolCallOutputProduced chunk)
    {
        sent.Enqueue(chunk);
        return Task.CompletedTask;
    }
}
