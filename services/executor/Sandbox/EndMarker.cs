using System.Globalization;
using System.Text;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Finds where one command's output ends in a session shell's stream. After each command the
/// shell writes <c>RS "BERTH:" nonce ":" exit-code RS</c> (RS is the byte 0x1E) to stdout and to
/// stderr; the nonce is new for every command, so no output can end another command early by
/// accident. Output may arrive in pieces of any size, so a piece that ends with what could be
/// the start of the marker is held back until the next one says whether it is.
/// </summary>
internal sealed class EndMarker
{
    private const byte Separator = 0x1E;
    private const int MaxCodeDigits = 4;

    private readonly byte[] _prefix;
    private readonly List<byte> _held = [];

    public EndMarker(string nonce) => _prefix = Encoding.ASCII.GetBytes($"\u001eBERTH:{nonce}:");

    /// <summary>The exit code the marker carried, once it has been seen.</summary>
    public int? ExitCode { get; private set; }

    public bool Seen { get; private set; }

    /// <summary>Takes the next piece of the stream; passes on the command's output in it. Whatever follows the marker is dropped.</summary>
    public void Feed(ReadOnlySpan<byte> data, Action<ReadOnlySpan<byte>> output)
    {
        if (Seen)
        {
            return;
        }

        _held.AddRange(data);
        var held = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_held);
        var start = held.IndexOf(_prefix);
        if (start >= 0)
        {
            var rest = held[(start + _prefix.Length)..];
            var end = rest.IndexOf(Separator);
            if (end < 0 && rest.Length <= MaxCodeDigits)
            {
                // The exit code has not all arrived: pass on what came before, keep the rest.
                output(held[..start]);
                _held.RemoveRange(0, start);
                return;
            }

            output(held[..start]);
            Seen = true;
            ExitCode = end > 0 && int.TryParse(rest[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : null;
            _held.Clear();
            return;
        }

        // Hold back the longest tail that could still grow into the marker.
        var keep = Math.Min(held.Length, _prefix.Length - 1);
        while (keep > 0 && !_prefix.AsSpan().StartsWith(held[^keep..]))
        {
            keep--;
        }

        output(held[..^keep]);
        _held.RemoveRange(0, held.Length - keep);
    }
}
