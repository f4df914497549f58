using Berth.Contracts;

namespace Berth.ServiceDefaults.Payloads;

/// <summary>
/// Both ends of the replies that can outgrow a message: the planner moves a large response output
/// or event page into the store, the api takes it back (and so deletes it).
/// </summary>
public static class PayloadReplies
{
    public static async Task<ResponseSnapshot> OffloadOutputAsync(this PayloadStore payloads, ResponseSnapshot response, CancellationToken cancellationToken) =>
        await payloads.OffloadJsonAsync(response.Output, PayloadJson.Default.IReadOnlyListResponseItem, cancellationToken) is { } address
            ? response with { Output = [], OutputAddress = address }
            : response;

    public static async Task<ResponseSnapshot> TakeOutputAsync(this PayloadStore payloads, ResponseSnapshot response, CancellationToken cancellationToken) =>
        response.OutputAddress is { } address
            ? response with { Output = await payloads.TakeJsonAsync(address, PayloadJson.Default.IReadOnlyListResponseItem, cancellationToken), OutputAddress = null }
            : response;

    public static async Task<ResponseEventList> OffloadEventsAsync(this PayloadStore payloads, ResponseEventList page, CancellationToken cancellationToken) =>
        await payloads.OffloadJsonAsync(page.Events, PayloadJson.Default.IReadOnlyListResponseStreamEvent, cancellationToken) is { } address
            ? page with { Events = [], EventsAddress = address }
            : page;

    public static async Task<ResponseEventList> TakeEventsAsync(this PayloadStore payloads, ResponseEventList page, CancellationToken cancellationToken) =>
        page.EventsAddress is { } address
            ? page with { Events = await payloads.TakeJsonAsync(address, PayloadJson.Default.IReadOnlyListResponseStreamEvent, cancellationToken), EventsAddress = null }
            : page;
}
