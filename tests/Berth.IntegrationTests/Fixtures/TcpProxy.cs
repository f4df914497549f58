using System.Net;
using System.Net.Sockets;

namespace Berth.IntegrationTests.Fixtures;

/// <summary>
/// A TCP proxy on loopback in front of the broker, so a test can cut one service's broker
/// connection, and refuse new ones, without stopping the broker the other tests share.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;
    private volatile bool _cut;

    public TcpProxy(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>A proxy in front of the broker of this amqp:// URI, and the same URI through the proxy.</summary>
    public static async Task<(TcpProxy Proxy, string ConnectionString)> ForBrokerAsync(string connectionString)
    {
        var broker = new Uri(connectionString);
        var address = (await Dns.GetHostAddressesAsync(broker.Host)).First();
        var proxy = new TcpProxy(new IPEndPoint(address, broker.Port));
        return (proxy, new UriBuilder(broker) { Host = "127.0.0.1", Port = proxy.Port }.Uri.ToString());
    }

    /// <summary>Drops every connection, and drops new ones at once, until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _cut = true;
        lock (_open)
        {
            foreach (var client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
        }
    }

    public void Restore() => _cut = false;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
            // Stopped, as asked.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_cut)
            {
                inbound.Dispose();
                continue;
            }

            _ = PipeAsync(inbound);
        }
    }

    private async Task PipeAsync(TcpClient inbound)
    {
        var outbound = new TcpClient();
        lock (_open)
        {
            _open.Add(inbound);
            _open.Add(outbound);
        }

        try
        {
            await outbound.ConnectAsync(_target, _stop.Token);
            using var a = inbound.GetStream();
            using var b = outbound.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // A cut, or one side hung up: either way this pair is done.
        }
        finally
        {
            inbound.Dispose();
            outbound.Dispose();
        }
    }
}
