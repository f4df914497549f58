using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Berth.IntegrationTests.Fixtures;

/// <summary>
/// A RabbitMQ node of a test's own: Debian's rabbitmq-server started once more, with its own
/// node name, ports, data directory and Erlang cookie, so a test may stop and start it without
/// touching the broker every other test shares. Listens on loopback only.
/// </summary>
public sealed class RabbitMqNode : IAsyncDisposable
{
    private const string Bin = "/usr/lib/rabbitmq/bin";
    private readonly string _directory;
    private readonly Process _server;

    private RabbitMqNode(string directory, string name, int port, Process server)
    {
        _directory = directory;
        Name = name;
        Port = port;
        _server = server;
    }

    /// <summary>Why no node can be started here; null when one can.</summary>
    public static string? UnavailableReason => File.Exists(Path.Combine(Bin, "rabbitmq-server"))
        ? null
        : $"No {Bin}/rabbitmq-server to start a broker node of the test's own ('./berth setup' installs Debian's rabbitmq-server).";

    public string Name { get; }

    public int Port { get; }

    public string BrokerUri => $"amqp://guest:guest@127.0.0.1:{Port}/";

    public string LogDirectory => Path.Combine(_directory, "log");

    public static async Task<RabbitMqNode> StartAsync(string name)
    {
        var directory = Directory.CreateTempSubdirectory("berth-rabbitmq-node-").FullName;
        Directory.CreateDirectory(Path.Combine(directory, "home"));
        var cookie = Path.Combine(directory, "home", ".erlang.cookie");
        await File.WriteAllTextAsync(cookie, $"berth{Guid.NewGuid():N}");
        if (!OperatingSystem.IsWindows())
        {
            // Erlang refuses a cookie others may read.
            File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
        }
        await File.WriteAllTextAsync(Path.Combine(directory, "plugins"), "[].");

        var (port, distributionPort) = (FreePort(), FreePort());
        var node = $"{name}@localhost";
        var start = new ProcessStartInfo(Path.Combine(Bin, "rabbitmq-server")) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in Environment(directory).Concat(new Dictionary<string, string>
        {
            ["RABBITMQ_NODENAME"] = node,
            // Loopback only: a node listening on every address cannot take its port back after stop_app here.
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = distributionPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(directory, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(directory, "log"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(directory, "plugins"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(directory, "pid"),
        }))
        {
            start.Environment[key] = value;
        }

        var server = Process.Start(start)!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var started = new RabbitMqNode(directory, node, port, server);
        await Eventually.TrueAsync(() => Task.FromResult(server.HasExited || started.Answers()), TimeSpan.FromSeconds(90), $"RabbitMQ node {node} to listen");
        Assert.False(server.HasExited, $"RabbitMQ node {node} exited at start; see {started.LogDirectory}");
        return started;
    }

    /// <summary>Stops the broker application (every connection drops; durable queues and persistent messages stay).</summary>
    public Task StopAppAsync() => ControlAsync("stop_app");

    public Task StartAppAsync() => ControlAsync("start_app");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ControlAsync("shutdown");
        }
        finally
        {
            if (!_server.HasExited)
            {
                _server.Kill(entireProcessTree: true);
            }

            _server.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }

    private bool Answers()
    {
        try
        {
            using var tcp = new TcpClient();
            tcp.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task ControlAsync(string command)
    {
        var start = new ProcessStartInfo(Path.Combine(Bin, "rabbitmqctl"), ["-n", Name, "-q", command]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in Environment(_directory))
        {
            start.Environment[key] = value;
        }

        using var control = Process.Start(start)!;
        var output = control.StandardOutput.ReadToEndAsync();
        var error = control.StandardError.ReadToEndAsync();
        await control.WaitForExitAsync();
        Assert.True(control.ExitCode == 0, $"rabbitmqctl {command} on {Name} exited {control.ExitCode}: {await output}{await error}");
    }

    // Its own HOME, so that rabbitmqctl finds this node's cookie and no other.
    private static Dictionary<string, string> Environment(string directory) => new() { ["HOME"] = Path.Combine(directory, "home") };

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
