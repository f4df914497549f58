using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Berth.IntegrationTests.Fixtures;

/// <summary>A webhook receiver on loopback that fails a set number of deliveries, then accepts, and keeps every request it saw.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failuresLeft;

    private WebhookReceiver(WebApplication app, int failures)
    {
        _app = app;
        _failuresLeft = failures;
    }

    public Uri Url { get; private set; } = null!;

    public ConcurrentQueue<Received> Requests { get; } = new();

    public sealed record Received(string WebhookId, string Timestamp, string Signature, byte[] Body, int AnsweredWith);

    public static async Task<WebhookReceiver> StartAsync(int failFirst)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, failFirst);
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            var status = Interlocked.Decrement(ref receiver._failuresLeft) >= 0 ? StatusCodes.Status500InternalServerError : StatusCodes.Status204NoContent;
            receiver.Requests.Enqueue(new Received(request.Headers["webhook-id"].ToString(), request.Headers["webhook-timestamp"].ToString(),
                request.Headers["webhook-signature"].ToString(), body.ToArray(), status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri($"{address.TrimEnd('/')}/hook");
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
