using System.Text;
using Berth.Contracts;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Sends what a running shell call prints while it runs, at most one chunk per interval, so a
/// streamed response shows output as it arrives. Only the first <c>limit</c> bytes of each
/// stream of each command are sent: beyond that the final, capped output (head and tail) is
/// what the response gets. Output of a call that ends before the first interval is over is
/// not sent on its own: it is held, and goes with the call's completion (most commands end
/// well within an interval, and each message is a step of the session's saga).
/// </summary>
internal sealed class OutputChunks : IAsyncDisposable
{
    private const int Slice = 1024;

    private readonly ToolCallRequested _call;
    private readonly Func<ToolCallOutputProduced, Task> _send;
    private readonly int _limit;
    private readonly Lock _gate = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Decoder _stdoutDecoder = Encoding.UTF8.GetDecoder();
    private readonly Decoder _stderrDecoder = Encoding.UTF8.GetDecoder();
    private readonly List<ToolCallOutputProduced> _held = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private long _stdoutBytes;
    private long _stderrBytes;
    private int _commandIndex;
    private int _chunk;

    // Set by the first interval that finds output: from then on every chunk is sent at once.
    private bool _live;

    public OutputChunks(ToolCallRequested call, int limit, TimeSpan interval, Func<ToolCallOutputProduced, Task> send)
    {
        _call = call;
        _limit = limit;
        _send = send;
        _loop = RunAsync(interval);
    }

    /// <summary>Called by the sandbox as output arrives; never blocks on the bus.</summary>
    public void Write(bool stderr, ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            ref var sent = ref stderr ? ref _stderrBytes : ref _stdoutBytes;
            var room = (int)Math.Max(0, _limit - sent);
            if (room == 0)
            {
                return;
            }

            var take = data[..Math.Min(room, data.Length)];
            sent += take.Length;
            var decoder = stderr ? _stderrDecoder : _stdoutDecoder;
            // A character begun in an earlier write may end in this one: room for it too.
            Span<char> chars = stackalloc char[Slice + 2];
            while (!take.IsEmpty)
            {
                var slice = take[..Math.Min(take.Length, Slice)];
                var count = decoder.GetChars(slice, chars, flush: false);
                (stderr ? _stderr : _stdout).Append(chars[..count]);
                take = take[slice.Length..];
            }
        }
    }

    /// <summary>Ends the current command's output (sent, or held), then counts output as the next command's.</summary>
    public async Task NextCommandAsync()
    {
        await FlushAsync(endOfCommand: true);
        lock (_gate)
        {
            _commandIndex++;
            _stdoutBytes = 0;
            _stderrBytes = 0;
            _stdoutDecoder.Reset();
            _stderrDecoder.Reset();
        }
    }

    /// <summary>Stops sending, and returns the chunks held back, in order, for the call's completion to carry.</summary>
    public async Task<IReadOnlyList<ToolCallOutputProduced>> CompleteAsync()
    {
        await StopAsync();
        await FlushAsync(endOfCommand: true);
        lock (_gate)
        {
            var held = _held.ToList();
            _held.Clear();
            return held;
        }
    }

    /// <summary>A call that ended without <see cref="CompleteAsync"/> (the sandbox failed) drops what it held: its completion reports the failure.</summary>
    public async ValueTask DisposeAsync()
    {
        await CompleteAsync();
        _stop.Dispose();
        _sending.Dispose();
    }

    private async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _loop;
    }

    private async Task RunAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                await FlushAsync(endOfCommand: false);
            }
        }
        catch (OperationCanceledException)
        {
            // The call finished; CompleteAsync or DisposeAsync takes the rest.
        }
    }

    /// <summary>
    /// Cuts what was written since the last chunk into a chunk. An interval that finds output
    /// makes the call live and sends everything held so far, then the new chunk; the end of a
    /// command sends its chunk if the call is live, and holds it if not.
    /// </summary>
    private async Task FlushAsync(bool endOfCommand)
    {
        await _sending.WaitAsync();
        try
        {
            List<ToolCallOutputProduced> toSend;
            lock (_gate)
            {
                if (_stdout.Length > 0 || _stderr.Length > 0)
                {
                    _held.Add(new ToolCallOutputProduced
                    {
                        SessionId = _call.SessionId,
                        ResponseId = _call.ResponseId,
                        CallId = _call.CallId,
                        Chunk = _chunk++,
                        CommandIndex = _commandIndex,
                        Stdout = _stdout.ToString(),
                        Stderr = _stderr.ToString(),
                    });
                    _stdout.Clear();
                    _stderr.Clear();
                    _live |= !endOfCommand;
                }

                if (!_live || _held.Count == 0)
                {
                    return;
                }

                toSend = [.. _held];
                _held.Clear();
            }

            foreach (var chunk in toSend)
            {
                await _send(chunk);
            }
        }
        finally
        {
            _sending.Release();
        }
    }
}
