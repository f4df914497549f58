using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Responses;

/// <summary>
/// The stream events one saga step stored, announced together when the step ends: one message
/// per response instead of one per write, and after the step's own commands, so announcing
/// never delays the next tool call or model call. An announcement is only a hint (a stream that
/// sees a gap reads the store), so events with more text than a message should carry are left
/// out of it: the gap they leave sends the streams to the store for them.
/// </summary>
internal sealed class AnnouncementBatch
{
    /// <summary>Characters of text one announcement carries at most; even escaped six-fold it stays far below the broker's 16 MiB.</summary>
    public const long MaxAnnouncedChars = 1_000_000;

    private readonly List<(string ResponseId, List<ResponseStreamEvent> Events)> _pending = [];

    public void Add(string responseId, IReadOnlyList<ResponseStreamEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        var last = _pending.Count > 0 ? _pending[^1] : default;
        if (last.ResponseId == responseId)
        {
            last.Events.AddRange(events);
        }
        else
        {
            _pending.Add((responseId, [.. events]));
        }
    }

    public void Clear() => _pending.Clear();

    public async Task AnnounceAsync(IPublishEndpoint publish, CancellationToken cancellationToken)
    {
        foreach (var (responseId, events) in _pending)
        {
            await publish.Publish(new ResponseEventsAppended { ResponseId = responseId, Events = WithinBudget(events) }, cancellationToken);
        }

        _pending.Clear();
    }

    private static List<ResponseStreamEvent> WithinBudget(List<ResponseStreamEvent> events)
    {
        var left = MaxAnnouncedChars;
        var announced = new List<ResponseStreamEvent>(events.Count);
        foreach (var e in events)
        {
            var chars = OutputLimits.TextChars(e);
            if (chars <= left)
            {
                announced.Add(e);
                left -= chars;
            }
        }

        return announced;
    }
}
