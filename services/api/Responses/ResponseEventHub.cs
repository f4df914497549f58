using System.Collections.Concurrent;
using System.Threading.Channels;
using Berth.Contracts;
using MassTransit;

namespace Berth.Api.Responses;

/// <summary>
/// The streams this api instance is serving, by response id. Every instance hears every
/// response's events; a stream here gets those of its response. A stream that falls behind
/// loses the oldest notifications, never events: it then reads them from the planner's store.
/// </summary>
internal sealed class ResponseEventHub
{
    private const int Buffered = 256;
    private readonly ConcurrentDictionary<string, List<Channel<ResponseEventsAppended>>> _streams = new(StringComparer.Ordinal);

    public Subscription Subscribe(string responseId)
    {
        var channel = Channel.CreateBounded<ResponseEventsAppended>(new BoundedChannelOptions(Buffered)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        while (true)
        {
            var list = _streams.GetOrAdd(responseId, _ => []);
            lock (list)
            {
                // The last stream of that response may have just removed this list from the map.
                if (_streams.TryGetValue(responseId, out var current) && ReferenceEquals(current, list))
                {
                    list.Add(channel);
                    return new Subscription(channel.Reader, () => Unsubscribe(responseId, list, channel));
                }
            }
        }
    }

    public void Deliver(ResponseEventsAppended message)
    {
        if (!_streams.TryGetValue(message.ResponseId, out var list))
        {
            return;
        }

        lock (list)
        {
            foreach (var channel in list)
            {
                channel.Writer.TryWrite(message);
            }
        }
    }

    private void Unsubscribe(string responseId, List<Channel<ResponseEventsAppended>> list, Channel<ResponseEventsAppended> channel)
    {
        lock (list)
        {
            list.Remove(channel);
            if (list.Count == 0)
            {
                _streams.TryRemove(new KeyValuePair<string, List<Channel<ResponseEventsAppended>>>(responseId, list));
            }
        }
    }

    public sealed class Subscription(ChannelReader<ResponseEventsAppended> reader, Action unsubscribe) : IDisposable
    {
        public ChannelReader<ResponseEventsAppended> Reader => reader;

        public void Dispose() => unsubscribe();
    }
}
