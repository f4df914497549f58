using System.Globalization;
using System.Text;
using Berth.Contracts;
using Berth.Planner.Responses;
using Berth.ServiceDefaults;
using MassTransit;

namespace Berth.Planner.Model;

/// <summary>
/// Relays a model's text while it arrives, for a response that is streamed or read later: each
/// piece is stored as a <c>response.output_text.delta</c> and announced to the api instances.
/// Pieces are put together until 64 characters wait or 50 ms have passed since the last write,
/// so the store is not written once per token while a slow model's words still go out as they
/// come. For a client streaming the response the first piece goes out at once; a background
/// response, which someone may read later or follow, starts gathering from the first piece, so
/// a quick answer costs one write, as a whole one does.
/// </summary>
internal sealed class TextDeltaRelay(IResponseStore store, IBus bus, ModelCancels cancels, TimeProvider time)
{
    public const int FlushChars = 64;
    public static readonly TimeSpan FlushAfter = TimeSpan.FromMilliseconds(50);

    /// <summary>The text of one model turn of a response; its message item will have this step's id.</summary>
    /// <param name="firstAtOnce">A client is waiting on the stream: its first words go out as soon as they come.</param>
    public TurnText Open(string responseId, int step, bool firstAtOnce) =>
        new(store, bus, cancels, time, responseId, Ids.Stable("msg", responseId, step.ToString(CultureInfo.InvariantCulture)), firstAtOnce);

    public sealed class TurnText : IAsyncDisposable
    {
        private readonly IResponseStore _store;
        private readonly IBus _bus;
        private readonly ModelCancels _cancels;
        private readonly TimeProvider _time;
        private readonly string _responseId;
        private readonly string _itemId;
        private readonly StringBuilder _pending = new();
        private readonly SemaphoreSlim _writing = new(1, 1);
        private readonly ITimer _timer;
        private readonly bool _firstAtOnce;
        private int? _outputIndex;
        private int _written;
        private long _lastWrite;

        internal TurnText(IResponseStore store, IBus bus, ModelCancels cancels, TimeProvider time, string responseId, string itemId, bool firstAtOnce)
        {
            _firstAtOnce = firstAtOnce;
            _lastWrite = time.GetTimestamp();
            _store = store;
            _bus = bus;
            _cancels = cancels;
            _time = time;
            _responseId = responseId;
            _itemId = itemId;
            _timer = time.CreateTimer(_ => _ = FlushIfDueAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        /// <summary>Whether any text went out: the message item was started in the response's events.</summary>
        public bool Started => _outputIndex is not null;

        public async Task AppendAsync(string text, CancellationToken cancellationToken)
        {
            if (text.Length == 0)
            {
                return;
            }

            await _writing.WaitAsync(cancellationToken);
            try
            {
                _pending.Append(text);
                if ((!Started && _firstAtOnce) || _pending.Length >= FlushChars || _time.GetElapsedTime(_lastWrite) >= FlushAfter)
                {
                    await WriteAsync(cancellationToken);
                }
                else
                {
                    _timer.Change(FlushAfter - _time.GetElapsedTime(_lastWrite), Timeout.InfiniteTimeSpan);
                }
            }
            finally
            {
                _writing.Release();
            }
        }

        /// <summary>Writes what waits: the model is done, and the rest of its message follows.</summary>
        public Task CompleteAsync(CancellationToken cancellationToken)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return WriteWaitingAsync(cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            await _timer.DisposeAsync();
            _writing.Dispose();
        }

        private async Task FlushIfDueAsync()
        {
            try
            {
                await WriteWaitingAsync(CancellationToken.None);
            }
            catch (ObjectDisposedException)
            {
                // The turn ended, and CompleteAsync wrote what was left.
            }
        }

        private async Task WriteWaitingAsync(CancellationToken cancellationToken)
        {
            await _writing.WaitAsync(cancellationToken);
            try
            {
                await WriteAsync(cancellationToken);
            }
            finally
            {
                _writing.Release();
            }
        }

        private async Task WriteAsync(CancellationToken cancellationToken)
        {
            // A cancelled response has ended: nothing more belongs in its stream.
            if (_pending.Length == 0 || _cancels.IsCancelled(_responseId))
            {
                return;
            }

            var events = new List<KeyedEvent>();
            if (_outputIndex is not { } index)
            {
                // The session stores nothing for this response while the model thinks, so the
                // message will take this place when the session stores it.
                index = await _store.CountItemsAsync(_responseId, cancellationToken);
                _outputIndex = index;
                events.AddRange(ResponseEvents.MessageStarted(index, _itemId));
            }

            var text = _pending.ToString();
            events.Add(ResponseEvents.StreamedText(index, _itemId, _written, text));
            _pending.Clear();
            _written += text.Length;
            _lastWrite = _time.GetTimestamp();

            var stored = await _store.AppendEventsAsync(_responseId, events, cancellationToken);
            await _bus.Publish(new ResponseEventsAppended { ResponseId = _responseId, Events = stored }, cancellationToken);
        }
    }
}
