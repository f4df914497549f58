using System.Text;
using Berth.Executor.Sandbox;

namespace Berth.UnitTests.Executor;

public sealed class EndMarkerTests
{
    private const string Nonce = "0123456789abcdef";

    private static (string Output, EndMarker Marker) Feed(IEnumerable<byte[]> pieces)
    {
        var marker = new EndMarker(Nonce);
        var output = new List<byte>();
        foreach (var piece in pieces)
        {
            marker.Feed(piece, data => output.AddRange(data.ToArray()));
        }

        return (Encoding.UTF8.GetString([.. output]), marker);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Should_pass_the_output_and_read_the_exit_code_when_the_marker_arrives_in_one_piece()
    {
        var (output, marker) = Feed([Bytes($"hello\nworld\u001eBERTH:{Nonce}:42\u001elater output")]);

        Assert.Equal("hello\nworld", output);
        Assert.True(marker.Seen);
        Assert.Equal(42, marker.ExitCode);
    }

    [Fact]
    public void Should_find_the_marker_when_it_arrives_one_byte_at_a_time()
    {
        var stream = Bytes($"héllo\u001eBERTH:{Nonce}:137\u001e");

        var (output, marker) = Feed(stream.Select(b => new[] { b }));

        Assert.Equal("héllo", output);
        Assert.Equal(137, marker.ExitCode);
    }

    [Fact]
    public void Should_pass_on_what_only_looked_like_the_start_of_a_marker()
    {
        var (output, marker) = Feed([Bytes("a\u001eBERT"), Bytes("X b\u001eBERTH:ffffffffffffffff:0\u001e c"), Bytes($"\u001eBERTH:{Nonce}:0\u001e")]);

        Assert.Equal("a\u001eBERTX b\u001eBERTH:ffffffffffffffff:0\u001e c", output);
        Assert.Equal(0, marker.ExitCode);
    }

    [Fact]
    public void Should_not_pass_output_on_before_it_is_known_not_to_be_the_marker()
    {
        var marker = new EndMarker(Nonce);
        var output = new List<byte>();

        marker.Feed(Bytes($"done\u001eBERTH:{Nonce}:1"), data => output.AddRange(data.ToArray()));

        Assert.Equal("done", Encoding.UTF8.GetString([.. output]));
        Assert.False(marker.Seen);
        marker.Feed(Bytes("2\u001e"), data => output.AddRange(data.ToArray()));
        Assert.Equal(12, marker.ExitCode);
    }

    [Theory]
    [InlineData("echo hi", "n1 2.5 1\necho hi\n")]
    [InlineData("printf 'a\\nb'\necho done", "n1 2.5 2\nprintf 'a\\nb'\necho done\n")]
    [InlineData("ends with a newline\n", "n1 2.5 2\nends with a newline\n\n")]
    [InlineData("nul\0 dropped", "n1 2.5 1\nnul dropped\n")]
    public void Should_frame_a_command_as_a_header_and_its_lines(string command, string frame) =>
        Assert.Equal(frame, ShellCommandRunner.Frame("n1", "2.5", command));
}
