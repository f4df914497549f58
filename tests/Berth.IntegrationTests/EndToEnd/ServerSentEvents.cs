using System.Net.ServerSentEvents;
using System.Text.Json;

namespace Berth.IntegrationTests.EndToEnd;

/// <summary>One event of a stream as a client sees it: the <c>event:</c> line and the parsed <c>data:</c>.</summary>
public sealed record StreamedEvent(string EventType, JsonElement Data)
{
    public int Sequence => Data.GetProperty("sequence_number").GetInt32();

    public string Type => Data.GetProperty("type").GetString()!;

    /// <summary>The item type of an output_item event, else null.</summary>
    public string? ItemType => Data.TryGetProperty("item", out var item) ? item.GetProperty("type").GetString() : null;

    /// <summary>Reads a stream with .NET's own SSE parser, handing each event to <paramref name="onEvent"/>; stops when it returns false or the stream ends.</summary>
    public static async Task<List<StreamedEvent>> ReadAsync(Stream body, Func<StreamedEvent, bool>? onEvent = null, CancellationToken cancellationToken = default)
    {
        var events = new List<StreamedEvent>();
        await foreach (var item in SseParser.Create(body).EnumerateAsync(cancellationToken))
        {
            Assert.NotEqual("[DONE]", item.Data);
            var e = new StreamedEvent(item.EventType, JsonDocument.Parse(item.Data).RootElement.Clone());
            events.Add(e);
            if (onEvent is not null && !onEvent(e))
            {
                break;
            }
        }

        return events;
    }
}
