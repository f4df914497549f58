using System.Text;
using Berth.Executor.Sandbox;

namespace Berth.UnitTests.Executor;

public sealed class OutputCaptureTests
{
    [Fact]
    public void Should_keep_everything_when_the_output_fits()
    {
        var capture = new OutputCapture(10);
        capture.Append("hello"u8);
        capture.Append(" you"u8);

        Assert.False(capture.Truncated);
        Assert.Equal("hello you", capture.ToString());
    }

    [Fact]
    public void Should_keep_the_head_and_the_tail_with_a_marker_when_the_output_is_too_long()
    {
        var capture = new OutputCapture(10);
        foreach (var chunk in new[] { "01234", "56789", "abcde", "fghij" })
        {
            capture.Append(Encoding.UTF8.GetBytes(chunk));
        }

        Assert.True(capture.Truncated);
        Assert.Equal(20, capture.TotalBytes);
        Assert.Equal("01234\n…[10 bytes truncated]…\nfghij", capture.ToString());
    }

    [Fact]
    public void Should_keep_the_newest_bytes_when_one_chunk_overflows_the_tail()
    {
        var capture = new OutputCapture(4);
        capture.Append("ab"u8);
        capture.Append("0123456789"u8);

        Assert.Equal("ab\n…[8 bytes truncated]…\n89", capture.ToString());
    }

    [Fact]
    public void Should_hold_no_more_than_its_limit_when_fed_a_megabyte()
    {
        var capture = new OutputCapture(1000);
        var chunk = new byte[4096];
        Array.Fill(chunk, (byte)'x');
        for (var i = 0; i < 256; i++)
        {
            capture.Append(chunk);
        }

        var text = capture.ToString();
        Assert.Equal(1000, text.Count(c => c == 'x'));
        Assert.Contains($"[{(256 * 4096) - 1000} bytes truncated]", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(1000)]
    public void Should_keep_exactly_the_first_and_last_halves_when_fed_chunks_of_any_size(int limit)
    {
        var random = new Random(limit);
        var data = new byte[5000];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)('a' + (i % 26));
        }

        for (var fed = 0; fed <= data.Length; fed += 97)
        {
            var capture = new OutputCapture(limit);
            var at = 0;
            while (at < fed)
            {
                var size = Math.Min(fed - at, random.Next(0, 300));
                capture.Append(data.AsSpan(at, size));
                at += size;
            }

            var whole = Encoding.ASCII.GetString(data, 0, fed);
            var expected = fed <= limit
                ? whole
                : $"{whole[..((limit + 1) / 2)]}\n…[{fed - limit} bytes truncated]…\n{whole[(fed - (limit / 2))..]}";
            Assert.Equal(expected, capture.ToString());
        }
    }
}
