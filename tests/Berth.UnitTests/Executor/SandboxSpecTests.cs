using Berth.Executor;
using Berth.Executor.Sandbox;

namespace Berth.UnitTests.Executor;

public sealed class SandboxSpecTests
{
    private static readonly ExecutorOptions Settings = new() { InstanceId = "exec-1", Image = "berth-sandbox:latest" };

    [Fact]
    public void Should_make_a_hardened_container_without_a_network_when_no_allowlist_is_given()
    {
        var spec = SandboxSpec.For("berth-x", "berth-sandbox-science:latest", new Dictionary<string, string>(), 512L << 20, network: null, Settings, cgroupParent: null);
        Assert.Equal("berth-sandbox-science:latest", spec.Image);

        Assert.True(spec.NetworkDisabled);
        Assert.Equal("none", spec.HostConfig!.NetworkMode);
        Assert.Equal(["ALL"], spec.HostConfig!.CapDrop);
        Assert.Equal(["no-new-privileges"], spec.HostConfig!.SecurityOpt);
        Assert.True(spec.HostConfig!.ReadonlyRootfs);
        Assert.False(spec.HostConfig!.Privileged);
        Assert.Equal(spec.HostConfig!.Memory, spec.HostConfig!.MemorySwap);
        Assert.Equal(Settings.PidsLimit, spec.HostConfig!.PidsLimit);
        Assert.Equal("none", spec.HostConfig!.LogConfig!.Type);
        Assert.Equal(Settings.User, spec.User);
        Assert.All(spec.HostConfig!.Tmpfs!.Values, mount => Assert.Contains("nosuid,nodev", mount, StringComparison.Ordinal));
        Assert.Contains("mode=0755", spec.HostConfig!.Tmpfs!["/mnt/skills"], StringComparison.Ordinal);
    }

    [Fact]
    public void Should_put_the_container_on_the_sessions_network_behind_its_proxy_when_an_allowlist_gives_one()
    {
        var spec = SandboxSpec.For("berth-x", Settings.Image, new Dictionary<string, string>(), 512L << 20, network: "berth-net-1", Settings, cgroupParent: "berth-sandboxes");

        Assert.False(spec.NetworkDisabled);
        Assert.Equal("berth-net-1", spec.HostConfig!.NetworkMode);
        Assert.Contains(spec.Env!, variable => variable.StartsWith("HTTPS_PROXY=", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("berth-sandboxes", spec.HostConfig!.CgroupParent);
    }
}
