using System.Text;
using Berth.Contracts;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Sends what a running shell call prints while it runs, at most one chunk per interval, so a
/// streamed response shows output as it arrives. Only the first <c>limit</c> bytes of each
/// stream of each command are sent: beyond that the final, capped output (head and tail) is
/// what the response gets.
/// </summary>
public sealed class OutputChunks : IAsyncDisposable
{
    private readonly ToolCallRequested _call;
    private readonly Func<ToolCallOutputProduced, Task> _send;
    private readonly int _limit;
    private readonly Lock _gate = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Decoder _stdoutDecoder = Encoding.UTF8.GetDecoder();
    private readonly Decoder _stderrDecoder = Encoding.UTF8.GetDecoder();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private long _stdoutBytes;
    private long _stderrBytes;
    private int _commandIndex;
    private int _chunk;

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
            var chars = new char[decoder.GetCharCount(take, flush: false)];
            decoder.GetChars(take, chars, flush: false);
            (stderr ? _stderr : _stdout).Append(chars);
        }
    }

    /// <summary>Sends what the current command printed, then counts output as the next command's.</summary>
    public async Task NextCommandAsync()
    {
        await FlushAsync();
        lock (_gate)
        {
            _commandIndex++;
            _stdoutBytes = 0;
            _stderrBytes = 0;
            _stdoutDecoder.Reset();
            _stderrDecoder.Reset();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await FlushAsync();
        _stop.Dispose();
        _sending.Dispose();
    }

    private async Task RunAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                await FlushAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // The call finished; DisposeAsync sends the rest.
        }
    }

    private async Task FlushAsync()
    {
        await _sending.WaitAsync();
        try
        {
            ToolCallOutputProduced chunk;
            lock (_gate)
            {
                if (_stdout.Length == 0 && _stderr.Length == 0)
                {
                    return;
                }

                chunk = new ToolCallOutputProduced
                {
                    SessionId = _call.SessionId,
                    ResponseId = _call.ResponseId,
                    CallId = _call.CallId,
                    Chunk = _chunk++,
                    CommandIndex = _commandIndex,
                    Stdout = _stdout.ToString(),
                    Stderr = _stderr.ToString(),
                };
                _stdout.Clear();
                _stderr.Clear();
            }

            await _send(chunk);
        }
        finally
        {
            _sending.Release();
        }
    }
}
