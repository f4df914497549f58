using System.Text;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Keeps at most <c>limit</c> bytes of a stream, whatever its size: the first half and the last
/// half, with a marker saying how much was cut between them. The end of a build or test log is
/// usually what matters, so it is never the part thrown away. Its buffers grow with the output,
/// so a command that prints one line costs a few hundred bytes, not twice its limit.
/// </summary>
internal sealed class OutputCapture(int limit)
{
    private const int FirstBuffer = 256;

    private readonly int _headLimit = (limit + 1) / 2;
    private readonly int _tailLimit = limit / 2;
    private byte[] _head = [];
    private int _headCount;

    // A ring once it is full: only the newest _tailLimit bytes survive.
    private byte[] _tail = [];
    private long _tailWritten;

    public long TotalBytes { get; private set; }

    public bool Truncated => TotalBytes > limit;

    public void Append(ReadOnlySpan<byte> data)
    {
        TotalBytes += data.Length;
        var toHead = Math.Min(data.Length, _headLimit - _headCount);
        if (toHead > 0)
        {
            Grow(ref _head, _headCount + toHead, _headLimit);
            data[..toHead].CopyTo(_head.AsSpan(_headCount));
            _headCount += toHead;
            data = data[toHead..];
        }

        if (data.IsEmpty || _tailLimit == 0)
        {
            return;
        }

        if (data.Length > _tailLimit)
        {
            _tailWritten += data.Length - _tailLimit;
            data = data[^_tailLimit..];
        }

        Grow(ref _tail, (int)Math.Min(_tailLimit, _tailWritten + data.Length), _tailLimit);
        var at = (int)(_tailWritten % _tailLimit);
        var first = Math.Min(data.Length, _tailLimit - at);
        data[..first].CopyTo(_tail.AsSpan(at));
        data[first..].CopyTo(_tail);
        _tailWritten += data.Length;
    }

    public override string ToString()
    {
        var tailCount = (int)Math.Min(_tailWritten, _tailLimit);
        var tail = new byte[tailCount];
        var start = (int)((_tailWritten - tailCount) % Math.Max(1, _tailLimit));
        var first = Math.Min(tailCount, _tailLimit - start);
        _tail.AsSpan(start, first).CopyTo(tail);
        _tail.AsSpan(0, tailCount - first).CopyTo(tail.AsSpan(first));

        var head = Encoding.UTF8.GetString(_head, 0, _headCount);
        if (!Truncated)
        {
            return head + Encoding.UTF8.GetString(tail);
        }

        return $"{head}\n…[{TotalBytes - limit} bytes truncated]…\n{Encoding.UTF8.GetString(tail)}";
    }

    private static void Grow(ref byte[] buffer, int needed, int max)
    {
        if (needed > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Min(max, Math.Max(needed, Math.Max(FirstBuffer, buffer.Length * 2))));
        }
    }
}
