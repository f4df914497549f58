using System.Globalization;
using System.Net;

namespace Berth.Bench;

/// <summary>
/// A stand-in for an OpenTelemetry collector (Jaeger, say, which cannot run here): it accepts
/// OTLP over HTTP, answers as a collector does and throws the data away, counting what came.
/// The services then pay what exporting their spans costs, which is what the traced row measures.
/// </summary>
public sealed class OtlpSink : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _serving;
    private long _traceExports;
    private long _traceBytes;

    private OtlpSink(HttpListener listener)
    {
        _listener = listener;
        Endpoint = new Uri(listener.Prefixes.Single().TrimEnd('/'));
        _serving = LoopbackHttp.ServeAsync(listener, CountAsync);
    }

    public Uri Endpoint { get; }

    public long TraceExports => Interlocked.Read(ref _traceExports);

    public long TraceBytes => Interlocked.Read(ref _traceBytes);

    /// <summary>What a service needs to export its spans here, batched as the SDK does by default.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint.ToString(),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
    };

    /// <summary>On a free loopback port.</summary>
    public static OtlpSink Start() => new(LoopbackHttp.Start());

    /// <summary>Spans leave in batches (every 5 s by default): waits for the first, so the summary shows export happened.</summary>
    public async Task WaitForSpansAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (TraceExports == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"the OTLP sink received {TraceExports} span exports, {TraceBytes / 1024.0:0} KiB");

    private async Task CountAsync(HttpListenerContext context)
    {
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        if (context.Request.Url?.AbsolutePath == "/v1/traces")
        {
            Interlocked.Increment(ref _traceExports);
            Interlocked.Add(ref _traceBytes, body.Length);
        }

        // An empty Export*ServiceResponse: everything accepted.
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/x-protobuf";
        context.Response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
