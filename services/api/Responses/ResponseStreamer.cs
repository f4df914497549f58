using System.Text;
using Berth.Api.Errors;
using Berth.Contracts;
using Berth.ServiceDefaults.Payloads;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Api.Responses;

/// <summary>
/// Serves a response's events as server-sent events, in OpenAI's format. The planner's store is
/// the source of truth: the stream reads it first, then follows the live notifications every
/// api instance hears, and reads the store again whenever a notification is missing or late. So
/// any instance can serve any stream, and a resumed stream has neither gaps nor repeats.
/// </summary>
internal sealed partial class ResponseStreamer(
    PlannerClient planner,
    ResponseEventHub hub,
    Security.RequestTenant tenant,
    PayloadStore payloads,
    TimeProvider time,
    ILogger<ResponseStreamer> logger)
{
    // A notification may be lost (an api queue restarting, a dropped buffer): the store is read
    // again after this long without one, then after twice as long, and so on up to MaxStoreCheck,
    // so a stream whose response is quiet for minutes (a command running, a slow model) asks
    // the planner four times a minute, not sixty.
    private static readonly TimeSpan StoreCheck = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxStoreCheck = TimeSpan.FromSeconds(15);

    // An SSE comment now and then keeps proxies from closing a stream while a command runs silently.
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    private const int PageSize = 500;

    private static readonly byte[] KeepAliveComment = ": keep-alive\n\n"u8.ToArray();

    private bool _includeUnstored;

    /// <summary>Streams the response's events after <paramref name="after"/> until its terminal event, or until the client leaves.</summary>
    /// <param name="known">The response as the caller has it already, if it does.</param>
    public async Task<IResult> StreamAsync(HttpContext http, string responseId, int after, ResponseSnapshot? known, CancellationToken cancellationToken)
    {
        // Only the request that made the response knows it already: it may stream one made with
        // store: false, which a later GET ?stream=true may not.
        _includeUnstored = known is not null;
        using var live = hub.Subscribe(responseId);
        IReadOnlyList<ResponseStreamEvent> stored;
        var first = await ReadEventsAsync(responseId, after, cancellationToken);
        if (first is null)
        {
            return ApiError.NotFound($"Response with id '{responseId}' not found.").ToResult();
        }

        stored = first;
        known ??= await FindAsync(responseId, cancellationToken);

        if (known is null)
        {
            return ApiError.NotFound($"Response with id '{responseId}' not found.").ToResult();
        }

        // A finished response with nothing after the cursor (a cursor at or past its last event)
        // has nothing more to send: the stream ends at once rather than wait for events that
        // never come. The events are read again first, as the response may have finished after
        // the first read.
        var nothingMore = false;
        if (stored.Count == 0 && ResponseStatuses.IsTerminal(known.Status))
        {
            stored = await ReadEventsAsync(responseId, after, cancellationToken) ?? [];

            nothingMore = stored.Count == 0;
        }

        TraceHeader.Set(http, known);
        var response = http.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(cancellationToken);

        var stream = new Cursor(after, known);

        if (nothingMore)
        {
            return Results.Empty;
        }

        try
        {
            while (!await WriteAsync(response, stream, stored, cancellationToken) && !stream.Finished)
            {
                stored = await FollowAsync(response, live, stream, cancellationToken);
            }

            return Results.Empty;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client left. The response goes on; GET ?stream=true&starting_after=N picks it up again.
            LogClientLeft(responseId, stream.Last);
            return Results.Empty;
        }
    }

    /// <summary>
    /// Waits for live events and writes them while they follow on without a gap; returns the
    /// stored events to write next once a gap, a lost notification or a quiet second suggests
    /// reading the store. Returns nothing once the stream is finished.
    /// </summary>
    private async Task<IReadOnlyList<ResponseStreamEvent>> FollowAsync(HttpResponse response, ResponseEventHub.Subscription live, Cursor stream, CancellationToken cancellationToken)
    {
        var quietSince = time.GetUtcNow();
        var check = StoreCheck;
        while (true)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(check);
            ResponseEventsAppended? batch = null;
            try
            {
                batch = await live.Reader.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Quiet for a while: fall through and check the store.
            }

            if (batch is not null && batch.Events.Where(e => e.SequenceNumber > stream.Last).OrderBy(e => e.SequenceNumber).ToList() is var fresh
                && (fresh.Count == 0 || fresh[0].SequenceNumber == stream.Last + 1)
                && IsContiguous(fresh))
            {
                if (await WriteAsync(response, stream, fresh, cancellationToken))
                {
                    return [];
                }

                quietSince = time.GetUtcNow();
                check = StoreCheck;
                continue;
            }

            check = check * 2 < MaxStoreCheck ? check * 2 : MaxStoreCheck;

            if (time.GetUtcNow() - quietSince > KeepAlive)
            {
                await response.Body.WriteAsync(KeepAliveComment, cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
                quietSince = time.GetUtcNow();
            }

            try
            {
                var stored = await ReadEventsAsync(stream.ResponseId, stream.Last, cancellationToken) ?? [];
                if (stored.Count > 0)
                {
                    return stored;
                }
            }
            catch (RequestTimeoutException)
            {
                // The planner is away for now; the response waits for it, and so does the stream.
                LogPlannerSilent(stream.ResponseId);
            }
        }
    }

    /// <summary>Writes the events that come next; true once the terminal event is written.</summary>
    private async Task<bool> WriteAsync(HttpResponse response, Cursor stream, IReadOnlyList<ResponseStreamEvent> batch, CancellationToken cancellationToken)
    {
        foreach (var e in batch)
        {
            if (e.SequenceNumber != stream.Last + 1)
            {
                continue;
            }

            var terminal = StreamEventTypes.IsTerminal(e.Type);
            if (terminal)
            {
                stream.Response = await FinishedResponseAsync(stream.Response, e, cancellationToken);
            }

            await response.Body.WriteAsync(Encoding.UTF8.GetBytes($"event: {e.Type}\ndata: "), cancellationToken);
            await response.Body.WriteAsync(ResponseJson.SerializeEvent(e, stream.Response), cancellationToken);
            await response.Body.WriteAsync("\n\n"u8.ToArray(), cancellationToken);
            stream.Last = e.SequenceNumber;
            if (terminal)
            {
                stream.Finished = true;
                await response.Body.FlushAsync(cancellationToken);
                return true;
            }
        }

        await response.Body.FlushAsync(cancellationToken);
        return false;
    }

    private static bool IsContiguous(List<ResponseStreamEvent> events)
    {
        for (var i = 1; i < events.Count; i++)
        {
            if (events[i].SequenceNumber != events[i - 1].SequenceNumber + 1)
            {
                return false;
            }
        }

        return true;
    }

    private async Task<IReadOnlyList<ResponseStreamEvent>?> ReadEventsAsync(string responseId, int after, CancellationToken cancellationToken)
    {
        var all = new List<ResponseStreamEvent>();
        while (true)
        {
            var reply = await planner.Ask<GetResponseEvents>().GetResponse<ResponseEventList, ResponseNotFound>(new GetResponseEvents { Tenant = tenant.Id, ResponseId = responseId, After = after, Limit = PageSize, IncludeUnstored = _includeUnstored },
                cancellationToken);
            if (!reply.Is(out Response<ResponseEventList>? list))
            {
                return null;
            }

            var page = await payloads.TakeEventsAsync(list.Message, cancellationToken);
            all.AddRange(page.Events);
            if (page.Events.Count == 0 || (page.Events.Count < PageSize && !page.HasMore))
            {
                return all;
            }

            after = page.Events[^1].SequenceNumber;
        }
    }

    private async Task<ResponseSnapshot> FinishedResponseAsync(ResponseSnapshot known, ResponseStreamEvent terminal, CancellationToken cancellationToken)
    {
        try
        {
            return await FindAsync(known.Id, cancellationToken) ?? known with { Status = terminal.Status ?? known.Status };
        }
        catch (RequestTimeoutException)
        {
            // The status is certain; the output is not. A GET fetches the whole response later.
            return known with { Status = terminal.Status ?? known.Status };
        }
    }

    private async Task<ResponseSnapshot?> FindAsync(string responseId, CancellationToken cancellationToken)
    {
        var reply = await planner.Ask<GetResponse>().GetResponse<ResponseSnapshot, ResponseNotFound>(new GetResponse(responseId) { Tenant = tenant.Id, IncludeUnstored = _includeUnstored }, cancellationToken);
        return reply.Is(out Response<ResponseSnapshot>? found) ? await payloads.TakeOutputAsync(found.Message, cancellationToken) : null;
    }

    /// <summary>Where a stream is: the last event written, and the response its lifecycle events show.</summary>
    private sealed class Cursor(int last, ResponseSnapshot response)
    {
        public string ResponseId => Response.Id;

        public int Last { get; set; } = last;

        public ResponseSnapshot Response { get; set; } = response;

        /// <summary>The terminal event is written: nothing follows it.</summary>
        public bool Finished { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Response {ResponseId}: the stream's client left after event {Sequence}")]
    private partial void LogClientLeft(string responseId, int sequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Response {ResponseId}: the planner did not answer a stream's read; trying again")]
    private partial void LogPlannerSilent(string responseId);
}
