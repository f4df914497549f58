using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Responses;

/// <summary>
/// The stream events one saga step stored, announced together when the step ends: one message
/// per response instead of one per write, and after the step's own commands, so announcing
/// never delays the next tool call or model call.
/// </summary>
public sealed class AnnouncementBatch
{
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

    public async Task AnnounceAsync(IPublishEndpoint publish, CancellationToken cancellationToken)
    {
        foreach (var (responseId, events) in _pending)
        {
            await publish.Publish(new ResponseEventsAppended { ResponseId = responseId, Events = events }, cancellationToken);
        }

        _pending.Clear();
    }
}
