using System.Text;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Keeps at most <c>limit</c> bytes of a stream, whatever its size: the first half and the last
/// half, with a marker saying how much was cut between them. The end of a build or test log is
/// usually what matters, so it is never the part thrown away.
/// </summary>
public sealed class OutputCapture(int limit)
{
    private readonly byte[] _head = new byte[(limit + 1) / 2];
    private readonly byte[] _tail = new byte[limit / 2];
    private int _headCount;
    private long _tailWritten;

    public long TotalBytes { get; private set; }

    public bool Truncated => TotalBytes > limit;

    public void Append(ReadOnlySpan<byte> data)
    {
        TotalBytes += data.Length;
        var toHead = Math.Min(data.Length, _head.Length - _headCount);
        data[..toHead].CopyTo(_head.AsSpan(_headCount));
        _headCount += toHead;
        data = data[toHead..];

        if (_tail.Length == 0)
        {
            return;
        }

        // A ring: only the newest _tail.Length bytes survive.
        if (data.Length > _tail.Length)
        {
            _tailWritten += data.Length - _tail.Length;
            data = data[^_tail.Length..];
        }

        foreach (var b in data)
        {
            _tail[_tailWritten++ % _tail.Length] = b;
        }
    }

    public override string ToString()
    {
        var tailCount = (int)Math.Min(_tailWritten, _tail.Length);
        var tail = new byte[tailCount];
        var start = _tailWritten - tailCount;
        for (var i = 0; i < tailCount; i++)
        {
            tail[i] = _tail[(start + i) % _tail.Length];
        }

        var head = Encoding.UTF8.GetString(_head, 0, _headCount);
        if (!Truncated)
        {
            return head + Encoding.UTF8.GetString(tail);
        }

        return $"{head}\n…[{TotalBytes - limit} bytes truncated]…\n{Encoding.UTF8.GetString(tail)}";
    }
}
