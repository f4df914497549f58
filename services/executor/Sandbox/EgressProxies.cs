using System.Collections.Concurrent;
using Berth.Contracts;
using Berth.ServiceDefaults;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Network for sessions with an <c>allowlist</c> policy. Each such session gets a Docker network
/// of its own, marked internal (no route out, no DNS beyond it), shared by its sandbox and one
/// tinyproxy. The proxy alone is also on the operator's egress network, and lets through only
/// HTTP on port 80 and HTTPS (CONNECT to 443) to the session's domains: its filter denies everything else,
/// raw IP addresses included. The sandbox finds it through the usual proxy variables.
/// </summary>
internal sealed partial class EgressProxies(DockerClient docker, IOptions<ExecutorOptions> options, ILogger<EgressProxies> logger)
{
    public const int ProxyPort = 8888;
    public const string ProxyAlias = "egress-proxy";
    public const string ProxyNamePrefix = "berth-proxy-";

    private readonly ConcurrentDictionary<Guid, bool> _sessions = new();

    public static string NetworkName(Guid sessionId) => $"berth-net-{sessionId:N}";

    public static string ProxyName(Guid sessionId) => $"{ProxyNamePrefix}{sessionId:N}";

    /// <summary>What a sandbox behind the proxy needs in its environment.</summary>
    public static IEnumerable<string> ProxyEnvironment()
    {
        var url = $"http://{ProxyAlias}:{ProxyPort}";
        return [$"HTTP_PROXY={url}", $"HTTPS_PROXY={url}", $"http_proxy={url}", $"https_proxy={url}", "NO_PROXY=localhost,127.0.0.1", "no_proxy=localhost,127.0.0.1"];
    }

    /// <summary>Makes the session's network and starts its proxy; returns the network its sandbox joins.</summary>
    public async Task<string> StartAsync(Guid sessionId, NetworkPolicySpec policy, IDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var egress = settings.EgressNetwork;
        if (string.IsNullOrWhiteSpace(egress))
        {
            throw new EgressUnavailableException(settings.InstanceId);
        }

        lock (_sessions)
        {
            if (!_sessions.ContainsKey(sessionId) && _sessions.Count >= settings.MaxEgressNetworks)
            {
                throw new EgressUnavailableException(settings.InstanceId, sessionId,
                    $"this executor holds {_sessions.Count} sessions with networks of their own, its most (Executor:MaxEgressNetworks); each takes one of the Docker engine's few address pools. Try again when one has ended.");
            }

            _sessions[sessionId] = true;
        }

        try
        {
            var network = await StartProxyAsync(sessionId, policy, labels, egress, cancellationToken);
            LogStarted(sessionId, string.Join(", ", policy.AllowedDomains), egress);
            return network;
        }
        catch
        {
            // Half a proxy is no use to anyone: its network and container go with the failure.
            await RemoveAsync(sessionId, CancellationToken.None);
            throw;
        }
    }

    private async Task<string> StartProxyAsync(Guid sessionId, NetworkPolicySpec policy, IDictionary<string, string> labels, string egress, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var network = NetworkName(sessionId);
        NetworksCreateResponse created;
        try
        {
            created = await docker.Networks.CreateNetworkAsync(new NetworksCreateParameters
            {
                Name = network,
                Driver = "bridge",
                Internal = true,
                Labels = labels,
            }, cancellationToken);
        }
        catch (DockerApiException e) when (e.ResponseBody?.Contains("address pool", StringComparison.OrdinalIgnoreCase) == true)
        {
            throw new EgressUnavailableException(settings.InstanceId, sessionId,
                "the Docker engine has no address pool left for a session network (its default-address-pools are used up, by Berth or others on the engine). Lower Executor:MaxEgressNetworks, or give the engine more pools.");
        }
        var subnet = (await docker.Networks.InspectNetworkAsync(created.ID, cancellationToken)).IPAM.Config.First().Subnet;

        var proxy = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = ProxyName(sessionId),
            Image = settings.EgressProxyImage,
            User = "65534:65534",
            Env =
            [
                "BERTH_EGRESS_FILTER=" + string.Join('\n', policy.AllowedDomains.SelectMany(EgressDomains.FilterLines)),
                "BERTH_EGRESS_ALLOW=" + subnet,
                $"BERTH_EGRESS_PORT={ProxyPort}",
                "BERTH_EGRESS_PRIVATE=" + (settings.EgressAllowPrivateNetworks ? "1" : "0"),
            ],
            Labels = labels,
            HostConfig = new HostConfig
            {
                NetworkMode = network,
                CapDrop = ["ALL"],
                SecurityOpt = ["no-new-privileges"],
                ReadonlyRootfs = true,
                Tmpfs = new Dictionary<string, string> { ["/tmp"] = "rw,nosuid,nodev,size=8m" },
                Memory = 64L * 1024 * 1024,
                MemorySwap = 64L * 1024 * 1024,
                // tinyproxy and the address check each take a thread per connection.
                PidsLimit = 192,
                NanoCPUs = 500_000_000,

                // The proxy logs to its own tmpfs; nothing it prints may grow on the host's disk.
                LogConfig = new LogConfig { Type = "none" },
            },
            NetworkingConfig = new NetworkingConfig
            {
                EndpointsConfig = new Dictionary<string, EndpointSettings> { [network] = new EndpointSettings { Aliases = [ProxyAlias] } },
            },
        }, cancellationToken);
        await docker.Networks.ConnectNetworkAsync(egress, new NetworkConnectParameters { Container = proxy.ID }, cancellationToken);
        await docker.Containers.StartContainerAsync(proxy.ID, new ContainerStartParameters(), cancellationToken);
        await WaitUntilListeningAsync(proxy.ID, sessionId, cancellationToken);
        return network;
    }

    /// <summary>
    /// A started container is not yet a listening proxy: on a busy host tinyproxy can take a
    /// moment to bind, and the session's first command would find nothing there. Asked from
    /// inside the proxy's own container, since the executor may have no route to its networks.
    /// </summary>
    private async Task WaitUntilListeningAsync(string proxyId, Guid sessionId, CancellationToken cancellationToken)
    {
        var exec = await docker.Exec.CreateContainerExecAsync(proxyId, new ContainerExecCreateParameters
        {
            Cmd = ["bash", "-c", $"for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/{ProxyPort}) 2>/dev/null && exit 0; sleep 0.05; done; exit 1"],
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken);
        using (var stream = await docker.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), cancellationToken))
        {
            await stream.CopyOutputToAsync(Stream.Null, Stream.Null, Stream.Null, cancellationToken);
        }

        if (await docker.Exec.WaitForExitCodeAsync(exec.ID, cancellationToken) != 0)
        {
            throw new EgressUnavailableException(options.Value.InstanceId, sessionId, $"its egress proxy did not start listening on port {ProxyPort} within 10 s.");
        }
    }

    /// <summary>Takes back a proxy made before this executor restarted.</summary>
    public async Task AdoptAsync(ContainerListResponse proxy, CancellationToken cancellationToken)
    {
        var name = proxy.Names.FirstOrDefault()?.TrimStart('/') ?? "";
        if (!Guid.TryParseExact(name[ProxyNamePrefix.Length..], "N", out var sessionId))
        {
            return;
        }

        _sessions[sessionId] = true;
        if (proxy.State != "running")
        {
            await docker.Containers.StartContainerAsync(proxy.ID, new ContainerStartParameters(), cancellationToken);
        }
    }

    /// <summary>Removes the session's proxy and network, if it has them; after its sandbox, which uses the network.</summary>
    public async Task RemoveAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        if (!_sessions.TryRemove(sessionId, out _))
        {
            return;
        }

        await docker.Containers.RemoveIfPresentAsync(ProxyName(sessionId), cancellationToken);

        try
        {
            await docker.Networks.DeleteNetworkAsync(NetworkName(sessionId), cancellationToken);
        }
        catch (DockerNetworkNotFoundException)
        {
            // Likewise.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: egress proxy started for {Domains}, out through network {EgressNetwork}")]
    private partial void LogStarted(Guid sessionId, string domains, string egressNetwork);
}

/// <summary>A session asked for network access, and this executor has no egress network to give it, or could not start its proxy.</summary>
internal sealed class EgressUnavailableException : Exception
{
    public EgressUnavailableException(string executorId)
        : base($"Executor {executorId} gives sandboxes no network: its operator has set no egress network (Executor:EgressNetwork). The session's network_policy cannot be honoured.")
    {
    }

    public EgressUnavailableException(string executorId, Guid sessionId, string why)
        : base($"Executor {executorId} could not give session {sessionId} its network: {why} The session's network_policy cannot be honoured.")
    {
    }
}
