using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Berth.Bench;

/// <summary>
/// A stand-in for an OpenTelemetry collector (Jaeger, say, which cannot run here): it accepts
/// OTLP over HTTP, answers as a collector does and throws the data away, counting what came.
/// The services then pay what exporting their spans costs, which is what the traced row measures.
/// </summary>
public sealed class OtlpSink : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private long _traceExports;
    private long _traceBytes;

    private OtlpSink(int port)
    {
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        _listener.Prefixes.Add($"{Endpoint}");
        _listener.Start();
        _serving = ServeAsync();
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

    /// <summary>On a free port: HttpListener cannot bind port 0, so a port is picked and, if taken meanwhile, picked again.</summary>
    public static OtlpSink Start()
    {
        for (var attempt = 1; ; attempt++)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            try
            {
                return new OtlpSink(port);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // Taken between the probe and the bind; another one.
            }
        }
    }

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

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

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
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
