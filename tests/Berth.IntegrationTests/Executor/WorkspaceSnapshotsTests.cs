using System.Formats.Tar;
using Berth.Contracts;
using Berth.Executor;
using Berth.Executor.Sandbox;
using Berth.IntegrationTests.Fixtures;
using Berth.ServiceDefaults.Payloads;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Berth.IntegrationTests.Executor;

/// <summary>Workspace snapshots on the real Docker engine, into a payload store in a directory of the test's own.</summary>
public sealed class WorkspaceSnapshotsTests(DockerFixture docker) : SandboxTestBase(docker, "snapshots"), IClassFixture<DockerFixture>
{
    private readonly string _store = Directory.CreateTempSubdirectory("berth-snapshots-").FullName;

    private (DockerSandbox Sandbox, WorkspaceSnapshots Snapshots, PayloadStore Payloads) Start(int maxSnapshotMb = 8)
    {
        var settings = new ExecutorOptions { InstanceId = ExecutorId, Image = DockerFixture.SandboxImage, WarmContainers = 0, MaxSnapshotMb = maxSnapshotMb, SnapshotSeconds = 60 };
        var payloads = new PayloadStore(new FileSystemPayloadRepository(_store, TimeProvider.System), Options.Create(new PayloadOptions()), NullLogger<PayloadStore>.Instance);
        return (DockerSandbox.Create(Docker.Client, settings), new WorkspaceSnapshots(Docker.Client, payloads, Options.Create(settings)), payloads);
    }

    public override async ValueTask DisposeAsync()
    {
        Directory.Delete(_store, recursive: true);
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Should_restore_the_files_and_directories_in_a_new_container_and_leave_links_and_fifos_out()
    {
        var (sandbox, snapshots, _) = Start();
        var token = TestContext.Current.CancellationToken;
        var source = await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, token);
        await sandbox.RunAsync(source, "mkdir -p 'a dir/empty' && printf 'one\\ntwo' > 'a dir/f.txt' && printf '\\0\\1' > bin && ln -s /etc/passwd link && mkfifo pipe", 10_000, 1_000, token);

        var (address, bytes, _) = await snapshots.TakeAsync(source, long.MaxValue, token);
        var target = await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, token);
        await snapshots.RestoreAsync(target, address, token);

        Assert.True(bytes > 0);
        var listed = await sandbox.RunAsync(target, "find . -mindepth 1 -printf '%y %p\\n' | sort; cat 'a dir/f.txt'; od -An -tx1 bin", 10_000, 10_000, token);
        Assert.Equal("d ./a dir\nd ./a dir/empty\nf ./a dir/f.txt\nf ./bin\none\ntwo 00 01\n", listed.Stdout);
    }

    [Fact]
    public async Task Should_refuse_a_workspace_whose_archive_is_over_the_cap()
    {
        var (sandbox, snapshots, _) = Start(maxSnapshotMb: 1);
        var token = TestContext.Current.CancellationToken;
        var source = await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, token);
        await sandbox.RunAsync(source, "head -c 2000000 /dev/urandom > big", 10_000, 1_000, token);

        var refused = await Assert.ThrowsAsync<FileOperationException>(() => snapshots.TakeAsync(source, long.MaxValue, token));
        Assert.Equal(ErrorCodes.SnapshotTooLarge, refused.Code);
        var smaller = await Assert.ThrowsAsync<FileOperationException>(() => snapshots.TakeAsync(source, 1000, token));
        Assert.Equal(ErrorCodes.SnapshotTooLarge, smaller.Code);
    }

    [Fact]
    public async Task Should_refuse_a_hostile_archive_at_once_and_write_nothing_outside_the_workspace()
    {
        var (sandbox, snapshots, payloads) = Start();
        var token = TestContext.Current.CancellationToken;
        var archive = new MemoryStream();
        await using (var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "fine.txt") { DataStream = new MemoryStream("ok"u8.ToArray()) }, token);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "escape") { LinkName = "/tmp" }, token);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "escape/planted") { DataStream = new MemoryStream("x"u8.ToArray()) }, token);
        }

        archive.Position = 0;
        var address = await payloads.KeepAsync(archive, token);
        var target = await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, token);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var refused = await Assert.ThrowsAsync<FileOperationException>(() => snapshots.RestoreAsync(target, address, token));

        Assert.Equal(ErrorCodes.InvalidSnapshot, refused.Code);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the refusal took {clock.Elapsed.TotalSeconds:0.0} s");
        var planted = await sandbox.RunAsync(target, "ls -A /tmp /mnt/data", 10_000, 1_000, token);
        Assert.DoesNotContain("planted", planted.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("escape", planted.Stdout, StringComparison.Ordinal);
    }
}
