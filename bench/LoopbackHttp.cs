using System.Net;
using System.Net.Sockets;

namespace Berth.Bench;

/// <summary>An <see cref="HttpListener"/> on a free loopback port, for the benchmark's stand-ins: the OTLP sink and the webhook receiver.</summary>
internal static class LoopbackHttp
{
    /// <summary>HttpListener cannot bind port 0, so a port is picked and, if taken meanwhile, picked again.</summary>
    public static HttpListener Start()
    {
        for (var attempt = 1; ; attempt++)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return listener;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // Taken between the probe and the bind; another one.
                listener.Close();
            }
        }
    }

    /// <summary>Hands each request to <paramref name="handle"/>, one after another, until the listener is closed.</summary>
    public static async Task ServeAsync(HttpListener listener, Func<HttpListenerContext, Task> handle)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            await handle(context);
        }
    }
}
