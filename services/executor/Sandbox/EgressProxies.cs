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
/// HTTP and HTTPS (CONNECT to 443) to the session's domains: its filter denies everything else,
/// raw IP addresses included. The sandbox finds it through the usual proxy variables.
/// </summary>
public sealed partial class EgressProxies(DockerClient docker, IOptions<ExecutorOptions> options, ILogger<EgressProxies> logger)
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

        _sessions[sessionId] = true;
        var network = NetworkName(sessionId);
        var created = await docker.Networks.CreateNetworkAsync(new NetworksCreateParameters
        {
            Name = network,
            Driver = "bridge",
            Internal = true,
            Labels = labels,
        }, cancellationToken);
        var subnet = (await docker.Networks.InspectNetworkAsync(created.ID, cancellationToken)).IPAM.Config.First().Subnet;

        var proxy = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = ProxyName(sessionId),
            Image = settings.EgressProxyImage,
            User = "65534:65534",
            Env =
            [
                "BERTH_EGRESS_FILTER=" + string.Join('\n', policy.AllowedDomains.Select(EgressDomains.FilterLine)),
                "BERTH_EGRESS_ALLOW=" + subnet,
                $"BERTH_EGRESS_PORT={ProxyPort}",
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
                PidsLimit = 64,
                NanoCPUs = 500_000_000,
            },
            NetworkingConfig = new NetworkingConfig
            {
                EndpointsConfig = new Dictionary<string, EndpointSettings> { [network] = new EndpointSettings { Aliases = [ProxyAlias] } },
            },
        }, cancellationToken);
        await docker.Networks.ConnectNetworkAsync(egress, new NetworkConnectParameters { Container = proxy.ID }, cancellationToken);
        await docker.Containers.StartContainerAsync(proxy.ID, new ContainerStartParameters(), cancellationToken);
        LogStarted(sessionId, string.Join(", ", policy.AllowedDomains), egress);
        return network;
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

        try
        {
            await docker.Containers.RemoveContainerAsync(ProxyName(sessionId), new ContainerRemoveParameters { Force = true }, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            // Gone already: the outcome wanted.
        }

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

/// <summary>A session asked for network access, and this executor has no egress network to give it.</summary>
public sealed class EgressUnavailableException(string executorId)
    : Exception($"Executor {executorId} gives sandboxes no network: its operator has set no egress network (Executor:EgressNetwork). The session's network_policy cannot be honoured.");
