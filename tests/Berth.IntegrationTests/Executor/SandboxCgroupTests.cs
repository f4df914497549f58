using System.Globalization;
using Berth.Executor;
using Berth.Executor.Sandbox;
using Berth.IntegrationTests.Fixtures;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Berth.IntegrationTests.Executor;

/// <summary>
/// Sandboxes under one parent cgroup with the CPU limits the executor writes, on the real Docker
/// engine: the limits in a directory standing in for the cgroup file system, then a real
/// sandbox under a real parent of the test's own, removed afterwards.
/// </summary>
public sealed class SandboxCgroupTests(DockerFixture docker) : SandboxTestBase(docker, "cgroup"), IClassFixture<DockerFixture>
{
    private readonly string _parent = $"berth-test-{Guid.NewGuid().ToString("N")[..8]}";

    [Fact]
    public async Task Should_write_the_parents_cpu_cap_and_weight_when_the_engine_uses_cgroupfs()
    {
        var engine = await Docker.Client.System.GetSystemInfoAsync(TestContext.Current.CancellationToken);
        Assert.SkipWhen(engine.CgroupDriver == "systemd", "The engine uses the systemd cgroup driver: systemd owns the parent slice, and the executor only says how to set its limits.");
        var root = Directory.CreateTempSubdirectory("berth-cgroup-").FullName;
        try
        {
            var cgroup = Cgroup(root, fraction: 0.5, weight: 20);
            await cgroup.StartAsync(TestContext.Current.CancellationToken);

            Assert.Equal("/" + _parent, cgroup.Parent);
            var quota = (0.5 * Environment.ProcessorCount * 100_000).ToString(CultureInfo.InvariantCulture);
            if (engine.CgroupVersion == "2")
            {
                Assert.Equal($"{quota} 100000", await File.ReadAllTextAsync(Path.Combine(root, _parent, "cpu.max"), TestContext.Current.CancellationToken));
                Assert.Equal("20", await File.ReadAllTextAsync(Path.Combine(root, _parent, "cpu.weight"), TestContext.Current.CancellationToken));
            }
            else
            {
                Assert.Equal(quota, await File.ReadAllTextAsync(Path.Combine(root, "cpu", _parent, "cpu.cfs_quota_us"), TestContext.Current.CancellationToken));
                Assert.Equal("100000", await File.ReadAllTextAsync(Path.Combine(root, "cpu", _parent, "cpu.cfs_period_us"), TestContext.Current.CancellationToken));
                Assert.Equal("204", await File.ReadAllTextAsync(Path.Combine(root, "cpu", _parent, "cpu.shares"), TestContext.Current.CancellationToken));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Should_start_each_sandbox_under_the_parent_cgroup_with_its_weight_when_one_is_set()
    {
        var engine = await Docker.Client.System.GetSystemInfoAsync(TestContext.Current.CancellationToken);
        Assert.SkipUnless(engine.CgroupDriver == "cgroupfs" && engine.CgroupVersion != "2" && Directory.Exists("/sys/fs/cgroup/cpu"),
            "Checked on the cgroup v1 file system with Docker's cgroupfs driver, as on the machines Berth's CI runs on; this engine differs.");
        var cgroup = Cgroup(SandboxCgroup.HostRoot, fraction: 1, weight: 20);
        await cgroup.StartAsync(TestContext.Current.CancellationToken);
        var sandbox = DockerSandbox.Create(Docker.Client, new ExecutorOptions { InstanceId = ExecutorId, Image = DockerFixture.SandboxImage, WarmContainers = 0 }, cgroup);

        var container = await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, TestContext.Current.CancellationToken);

        var inspected = await Docker.Client.Containers.InspectContainerAsync(container, TestContext.Current.CancellationToken);
        Assert.Equal("/" + _parent, inspected.HostConfig?.CgroupParent);
        Assert.True(Directory.Exists(Path.Combine("/sys/fs/cgroup/cpu", _parent, container)), "the sandbox's cgroup is not under the parent");
        Assert.Equal("204", (await File.ReadAllTextAsync(Path.Combine("/sys/fs/cgroup/cpu", _parent, "cpu.shares"), TestContext.Current.CancellationToken)).Trim());
        Assert.Equal("-1", (await File.ReadAllTextAsync(Path.Combine("/sys/fs/cgroup/cpu", _parent, "cpu.cfs_quota_us"), TestContext.Current.CancellationToken)).Trim());
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();

        // Docker leaves the emptied parent in every controller's hierarchy.
        foreach (var hierarchy in Directory.Exists(SandboxCgroup.HostRoot) ? Directory.GetDirectories(SandboxCgroup.HostRoot) : [])
        {
            var parent = Path.Combine(hierarchy, _parent);
            if (Directory.Exists(parent))
            {
                Directory.Delete(parent);
            }
        }
    }

    private SandboxCgroup Cgroup(string root, double fraction, int weight) => new(Docker.Client,
        Options.Create(new ExecutorOptions { InstanceId = ExecutorId, SandboxCgroupParent = _parent, SandboxCpuFraction = fraction, SandboxCpuWeight = weight }),
        NullLogger<SandboxCgroup>.Instance, root);
}
