using Berth.Contracts;
using Berth.Executor;
using Berth.Executor.Sandbox;
using Berth.IntegrationTests.Fixtures;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.IntegrationTests.Executor;

/// <summary>
/// <c>network_policy: allowlist</c> on the real Docker engine, through the real egress proxy
/// (Debian's tinyproxy). "Outside" is a network this test makes, marked internal, holding one web
/// server under several names; nothing leaves the machine.
/// </summary>
public sealed class EgressAllowlistTests(DockerFixture docker) : SandboxTestBase(docker, "egress"), IClassFixture<DockerFixture>
{
    private const string ProxyImage = "berth-egress-proxy:latest";

    // Answers every request with the Host it was sent to, on port 80 and on 443 (plain TCP: a
    // CONNECT tunnel carries bytes, so HTTPS would pass the same way).
    private const string Server = """
        use IO::Socket::INET;
        my $s = IO::Socket::INET->new(LocalPort => $ARGV[0], Listen => 20, ReuseAddr => 1) or die "listen: $!";
        while (my $c = $s->accept) {
            my $host = "";
            while (my $l = <$c>) { $l =~ s/\r?\n$//; last if $l eq ""; $host = $1 if $l =~ /^Host:\s*([^:\s]+)/i; }
            my $b = "hello from $host\n";
            print $c "HTTP/1.0 200 OK\r\nContent-Length: " . length($b) . "\r\nConnection: close\r\n\r\n$b";
            close $c;
        }
        """;

    // An HTTP client for the sandbox, which has no curl: a plain GET through the proxy, or a
    // CONNECT tunnel with a GET inside. Prints the proxy's status line, then the body.
    private const string Client = """
        cat > /mnt/data/get.py <<'PY'
        import socket, sys
        method, target = sys.argv[1], sys.argv[2]
        def read_all(s):
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    return data
                data += chunk
        s = socket.create_connection(("egress-proxy", 8888), timeout=10)
        if method == "CONNECT":
            s.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = s.recv(4096)
                if not chunk:
                    break
                head += chunk
            status = head.split(b"\r\n")[0].decode()
            print(status)
            if " 200 " in status:
                s.sendall(f"GET / HTTP/1.0\r\nHost: {target.split(':')[0]}\r\n\r\n".encode())
                print(read_all(s).split(b"\r\n\r\n", 1)[-1].decode().strip())
        else:
            s.sendall(f"GET {target} HTTP/1.0\r\nHost: {target.split('/')[2]}\r\n\r\n".encode())
            data = read_all(s)
            print(data.split(b"\r\n")[0].decode())
            print(data.split(b"\r\n\r\n", 1)[-1].decode().strip())
        PY
        """;

    private string _outside = "";
    private string _serverIp = "";

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        try
        {
            await Docker.Client.Images.InspectImageAsync(ProxyImage);
        }
        catch (DockerImageNotFoundException)
        {
            Assert.Skip($"The egress proxy image {ProxyImage} is missing; build it with sandbox/egress-proxy/build-image.sh ('./berth setup' does).");
        }

        _outside = $"berth-test-outside-{ExecutorId}";
        await Docker.Client.Networks.CreateNetworkAsync(new NetworksCreateParameters { Name = _outside, Driver = "bridge", Internal = true });
        var server = await Docker.Client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = DockerFixture.SandboxImage,
            Name = $"{_outside}-web",
            User = "0",
            Env = ["SERVER=" + Server],
            Cmd = ["sh", "-c", "perl -e \"$SERVER\" 80 & perl -e \"$SERVER\" 443 & wait"],
            Labels = new Dictionary<string, string> { ["berth.executor"] = ExecutorId },
            HostConfig = new HostConfig { NetworkMode = _outside },
            NetworkingConfig = new NetworkingConfig
            {
                EndpointsConfig = new Dictionary<string, EndpointSettings>
                {
                    [_outside] = new() { Aliases = ["allowed.berth.test", "refused.berth.test", "files.cdn.berth.test", "cdn.berth.test"] },
                },
            },
        });
        await Docker.Client.Containers.StartContainerAsync(server.ID, new ContainerStartParameters());
        _serverIp = (await Docker.Client.Containers.InspectContainerAsync(server.ID)).NetworkSettings!.Networks![_outside].IPAddress;
    }

    public override async ValueTask DisposeAsync()
    {
        // The executor's containers and networks first: the server and the proxies are on the outside network.
        await base.DisposeAsync();
        if (_outside.Length > 0)
        {
            await Docker.Client.Networks.DeleteNetworkAsync(_outside);
        }
    }

    [Fact]
    public async Task Should_reach_only_the_allowed_domains_through_the_proxy_and_nothing_directly()
    {
        var sandbox = EgressSandbox();
        var session = Guid.NewGuid();
        var policy = new NetworkPolicySpec { Type = NetworkPolicySpec.Allowlist, AllowedDomains = ["*.cdn.berth.test", "allowed.berth.test"] };
        var container = await sandbox.EnsureContainerAsync(session, null, CancellationToken.None, network: policy);
        await RunAsync(sandbox, container, Client);

        // Allowed: plain HTTP, a CONNECT tunnel to 443, and a subdomain of a wildcard entry.
        Assert.Equal("HTTP/1.0 200 OK\nhello from allowed.berth.test\n", await RunAsync(sandbox, container, "python3 get.py GET http://allowed.berth.test/"));
        Assert.Equal("HTTP/1.0 200 Connection established\nhello from allowed.berth.test\n", await RunAsync(sandbox, container, "python3 get.py CONNECT allowed.berth.test:443"));
        Assert.Equal("HTTP/1.0 200 OK\nhello from files.cdn.berth.test\n", await RunAsync(sandbox, container, "python3 get.py GET http://files.cdn.berth.test/"));

        // Refused by the proxy: another domain (plain and tunnelled), the wildcard's own domain,
        // the same server by raw IP, a tunnel to a port other than 443, and plain HTTP to a port
        // of an allowed host other than 80 (the server answers on 443).
        foreach (var (method, target) in new[]
        {
            ("GET", "http://refused.berth.test/"), ("CONNECT", "refused.berth.test:443"), ("GET", "http://cdn.berth.test/"),
            ("GET", $"http://{_serverIp}/"), ("CONNECT", $"{_serverIp}:443"), ("CONNECT", "allowed.berth.test:80"),
            ("GET", "http://allowed.berth.test:443/"), ("GET", "http://allowed.berth.test:8080/"), ("GET", "http://files.cdn.berth.test:443/"),
        })
        {
            var answer = await RunAsync(sandbox, container, $"python3 get.py {method} {target}");
            Assert.True(Refused(answer), $"{method} {target} should be refused; the proxy answered: {answer}");
        }

        // Around the proxy: no route to the server's address, and no name outside the session's
        // own network resolves, so neither raw sockets nor DNS lead anywhere.
        var direct = await RunAsync(sandbox, container, "python3 -c \"import socket\ntry:\n  socket.create_connection(('" + _serverIp
            + "', 80), timeout=3)\n  print('connected')\nexcept OSError as e:\n  print('blocked:', e)\"");
        Assert.StartsWith("blocked:", direct, StringComparison.Ordinal);
        Assert.Equal("no\n", await RunAsync(sandbox, container, "timeout 10 getent hosts allowed.berth.test >/dev/null && echo yes || echo no"));
        Assert.Equal("yes\n", await RunAsync(sandbox, container, "getent hosts egress-proxy >/dev/null && echo yes || echo no"));

        // Another session has its own proxy, with its own list.
        var other = await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, CancellationToken.None,
            network: new NetworkPolicySpec { Type = NetworkPolicySpec.Allowlist, AllowedDomains = ["refused.berth.test"] });
        await RunAsync(sandbox, other, Client);
        Assert.Equal("HTTP/1.0 200 OK\nhello from refused.berth.test\n", await RunAsync(sandbox, other, "python3 get.py GET http://refused.berth.test/"));
        Assert.True(Refused(await RunAsync(sandbox, other, "python3 get.py GET http://allowed.berth.test/")));

        // Removing the session removes its proxy and its network.
        Assert.True(await sandbox.RemoveSessionAsync(session, CancellationToken.None));
        Assert.Empty(await Docker.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [EgressProxies.ProxyName(session)] = true } },
        }));
        await Assert.ThrowsAsync<DockerNetworkNotFoundException>(() => Docker.Client.Networks.InspectNetworkAsync(EgressProxies.NetworkName(session)));
    }

    [Fact]
    public async Task Should_refuse_an_allowed_name_that_resolves_to_a_non_public_address()
    {
        var sandbox = EgressSandbox(allowPrivateNetworks: false);
        var policy = new NetworkPolicySpec { Type = NetworkPolicySpec.Allowlist, AllowedDomains = ["allowed.berth.test"] };
        var container = await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, CancellationToken.None, network: policy);
        await RunAsync(sandbox, container, Client);

        // The name is allowed, and resolves to the server's private address: as a name pointed at
        // an operator's own network, or at 169.254.169.254, would.
        foreach (var (method, target) in new[] { ("GET", "http://allowed.berth.test/"), ("CONNECT", "allowed.berth.test:443") })
        {
            var answer = await RunAsync(sandbox, container, $"python3 get.py {method} {target}");
            Assert.True(Refused(answer), $"{method} {target} should be refused; the proxy answered: {answer}");
            Assert.DoesNotContain("hello from", answer, StringComparison.Ordinal);
        }

        Assert.Contains($"resolves to {_serverIp}, which is not a public address", await RunAsync(sandbox, container, "python3 get.py GET http://allowed.berth.test/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_an_allowlist_on_an_executor_without_an_egress_network()
    {
        var sandbox = DockerSandbox.Create(Docker.Client, new ExecutorOptions { InstanceId = ExecutorId, Image = DockerFixture.SandboxImage, WarmContainers = 0 });
        var policy = new NetworkPolicySpec { Type = NetworkPolicySpec.Allowlist, AllowedDomains = ["allowed.berth.test"] };

        var refused = await Assert.ThrowsAsync<EgressUnavailableException>(() => sandbox.EnsureContainerAsync(Guid.NewGuid(), null, CancellationToken.None, network: policy));
        Assert.Contains("Executor:EgressNetwork", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, sandbox.LiveContainers);
    }

    [Fact]
    public async Task Should_fail_clearly_and_leave_no_network_or_proxy_behind_when_a_proxy_never_listens()
    {
        // A proxy that never listens: the sandbox image starts, and runs no tinyproxy.
        var sandbox = EgressSandbox(proxyImage: DockerFixture.SandboxImage);
        var session = Guid.NewGuid();
        var policy = new NetworkPolicySpec { Type = NetworkPolicySpec.Allowlist, AllowedDomains = ["allowed.berth.test"] };

        var refused = await Assert.ThrowsAsync<EgressUnavailableException>(() => sandbox.EnsureContainerAsync(session, null, CancellationToken.None, network: policy));
        Assert.Contains("did not start listening", refused.Message, StringComparison.Ordinal);

        await Assert.ThrowsAsync<DockerNetworkNotFoundException>(() => Docker.Client.Networks.InspectNetworkAsync(EgressProxies.NetworkName(session)));
        Assert.Empty(await Docker.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [EgressProxies.ProxyName(session)] = true } },
        }));
        Assert.Equal(0, sandbox.LiveContainers);
    }

    [Fact]
    public async Task Should_refuse_a_session_network_past_the_executors_limit_and_make_one_again_once_one_ends()
    {
        var sandbox = EgressSandbox(maxNetworks: 1);
        var policy = new NetworkPolicySpec { Type = NetworkPolicySpec.Allowlist, AllowedDomains = ["allowed.berth.test"] };
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        await sandbox.EnsureContainerAsync(first, null, CancellationToken.None, network: policy);

        var refused = await Assert.ThrowsAsync<EgressUnavailableException>(() => sandbox.EnsureContainerAsync(second, null, CancellationToken.None, network: policy));
        Assert.Contains("Executor:MaxEgressNetworks", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<DockerNetworkNotFoundException>(() => Docker.Client.Networks.InspectNetworkAsync(EgressProxies.NetworkName(second)));

        // A session without a network of its own is not counted.
        await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, CancellationToken.None);

        Assert.True(await sandbox.RemoveSessionAsync(first, CancellationToken.None));
        var container = await sandbox.EnsureContainerAsync(second, null, CancellationToken.None, network: policy);
        await RunAsync(sandbox, container, Client);
        Assert.Equal("HTTP/1.0 200 OK\nhello from allowed.berth.test\n", await RunAsync(sandbox, container, "python3 get.py GET http://allowed.berth.test/"));
        Assert.True(await sandbox.RemoveSessionAsync(second, CancellationToken.None));
    }

    /// <summary>An executor's sandbox whose allowlist sessions go out through the test's own network.</summary>
    /// <param name="allowPrivateNetworks">
    /// The test's "outside" is a Docker network, on private addresses: only with this on do
    /// allowed names lead anywhere (<see cref="Should_refuse_an_allowed_name_that_resolves_to_a_non_public_address"/>).
    /// </param>
    private DockerSandbox EgressSandbox(string? proxyImage = null, int maxNetworks = 16, bool allowPrivateNetworks = true)
    {
        var options = new ExecutorOptions
        {
            InstanceId = ExecutorId,
            Image = DockerFixture.SandboxImage,
            WarmContainers = 0,
            EgressNetwork = _outside,
            MaxEgressNetworks = maxNetworks,
            EgressAllowPrivateNetworks = allowPrivateNetworks,
        };
        if (proxyImage is not null)
        {
            options.EgressProxyImage = proxyImage;
        }

        return DockerSandbox.Create(Docker.Client, options);
    }

    // tinyproxy answers in the HTTP version it was asked in.
    private static bool Refused(string answer) => System.Text.RegularExpressions.Regex.IsMatch(answer, @"^HTTP/1\.[01] 403 ");

    private static async Task<string> RunAsync(DockerSandbox sandbox, string container, string command)
    {
        var output = await sandbox.RunAsync(container, command, 20_000, 10_000, CancellationToken.None);
        Assert.True(output.ExitCode == 0, $"'{command}' exited {output.ExitCode}: {output.Stdout} {output.Stderr}");
        return output.Stdout;
    }
}
