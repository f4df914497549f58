using System.Diagnostics;
using Docker.DotNet;

namespace Berth.IntegrationTests.Fixtures;

/// <summary>
/// A second Docker engine of a test's own: Debian's dockerd started once more, with its own data
/// and exec roots, socket and containerd, no bridge network and no iptables rules, so the test
/// can put an executor on an engine where the other executors cannot see its containers (as on
/// another host). The sandbox image is copied in from the main engine; nothing is pulled.
/// </summary>
public sealed class DockerEngineNode : IAsyncDisposable
{
    private const string Dockerd = "/usr/sbin/dockerd";
    private readonly string _directory;
    private readonly Process _daemon;

    private DockerEngineNode(string directory, Process daemon)
    {
        _directory = directory;
        _daemon = daemon;
        Client = new DockerClientBuilder().WithEndpoint(new Uri(Endpoint)).Build();
    }

    /// <summary>Why no engine can be started here; null when one can.</summary>
    public static string? UnavailableReason => File.Exists(Dockerd)
        ? null
        : $"No {Dockerd} to start a Docker engine of the test's own ('./berth setup' installs Debian's docker.io).";

    public string Endpoint => $"unix://{Path.Combine(_directory, "docker.sock")}";

    public DockerClient Client { get; }

    public string LogFile => Path.Combine(_directory, "dockerd.log");

    public static async Task<DockerEngineNode> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("berth-docker-").FullName;
        var start = new ProcessStartInfo(Dockerd) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--data-root", Path.Combine(directory, "data"),
            "--exec-root", Path.Combine(directory, "exec"),
            "--pidfile", Path.Combine(directory, "dockerd.pid"),
            "--host", $"unix://{Path.Combine(directory, "docker.sock")}",
            // Sandboxes run without a network; none of the host's networking is touched.
            "--bridge", "none", "--iptables=false", "--ip-masq=false",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var daemon = Process.Start(start)!;
        var node = new DockerEngineNode(directory, daemon);
        _ = CopyAsync(daemon.StandardOutput, node.LogFile);
        _ = CopyAsync(daemon.StandardError, node.LogFile + ".err");
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    await node.Client.System.PingAsync();
                    return true;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), "the second Docker engine to answer");

            var (exit, output) = await ChildProcess.RunAsync("bash", ["-c", $"docker save {DockerFixture.SandboxImage} | docker -H {node.Endpoint} load"], timeout: TimeSpan.FromMinutes(3));
            if (exit != 0)
            {
                throw new InvalidOperationException($"The sandbox image could not be copied to the second engine: {output}");
            }
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return node;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_daemon.HasExited)
        {
            // TERM: the daemon stops its containers and unmounts their layers before it exits.
            Process.Start("kill", ["-TERM", _daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
            try
            {
                await _daemon.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                _daemon.Kill(entireProcessTree: true);
            }
        }

        _daemon.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A layer still mounted: the temporary directory goes with the machine.
        }
    }

    private static async Task CopyAsync(StreamReader from, string file)
    {
        await using var to = File.CreateText(file);
        await from.BaseStream.CopyToAsync(to.BaseStream);
    }
}
