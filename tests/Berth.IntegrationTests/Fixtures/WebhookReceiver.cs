using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Berth.IntegrationTests.Fixtures;

/// <summary>A webhook receiver on loopback that fails a set number of deliveries, then accepts, and keeps every request it saw.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private WebApplication _app = null!;
    private int _failuresLeft;

    private WebhookReceiver(int failures) => _failuresLeft = failures;

    public Uri Url { get; private set; } = null!;

    public ConcurrentQueue<Received> Requests { get; } = new();

    public sealed record Received(string WebhookId, string Timestamp, string Signature, byte[] Body, int AnsweredWith);

    public static async Task<WebhookReceiver> StartAsync(int failFirst)
    {
        var receiver = new WebhookReceiver(failFirst);
        (receiver._app, var baseUrl) = await LoopbackApp.StartAsync(app => app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            var status = Interlocked.Decrement(ref receiver._failuresLeft) >= 0 ? StatusCodes.Status500InternalServerError : StatusCodes.Status204NoContent;
            receiver.Requests.Enqueue(new Received(request.Headers["webhook-id"].ToString(), request.Headers["webhook-timestamp"].ToString(),
                request.Headers["webhook-signature"].ToString(), body.ToArray(), status));
            return Results.StatusCode(status);
        }));
        receiver.Url = new Uri(baseUrl, "/hook");
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
