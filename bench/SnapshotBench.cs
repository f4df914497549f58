using Berth.Executor;
using Berth.Executor.Sandbox;
using Berth.ServiceDefaults.Payloads;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Berth.Bench;

/// <summary>
/// Workspace snapshots: taking one of a workspace of 1, 50 and 200 MB into the payload store (on
/// the local file system here) and restoring it into a new container, beside raw `docker exec tar`
/// streaming the same workspace to the client, in the same run.
/// </summary>
public static class SnapshotBench
{
    public static async Task RunAsync(BenchOptions options, Table table)
    {
        using var docker = new DockerClientBuilder().WithEndpoint(new Uri(Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "unix:///var/run/docker.sock")).Build();
        var executorId = $"bench-{Guid.NewGuid().ToString("N")[..8]}";
        var store = Directory.CreateTempSubdirectory("berth-bench-snapshots-").FullName;
        var settings = new ExecutorOptions
        {
            InstanceId = executorId,
            Image = options.Image,
            WarmContainers = 0,
            MaxContainers = 100,
            MemoryMb = 1024,
            WorkspaceMb = 512,
            MaxSnapshotMb = 512,
        };
        var sandbox = DockerSandbox.Create(docker, settings);
        var payloads = new PayloadStore(new FileSystemPayloadRepository(store, TimeProvider.System), Options.Create(new PayloadOptions()), NullLogger<PayloadStore>.Instance);
        var snapshots = new WorkspaceSnapshots(docker, payloads, Options.Create(settings));
        var runs = options.Quick ? 1 : 5;
        try
        {
            foreach (var megabytes in options.Quick ? new[] { 1, 50 } : [1, 50, 200])
            {
                var source = await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, CancellationToken.None);
                await sandbox.RunAsync(source, $"mkdir -p d && head -c {megabytes}M /dev/urandom > d/data.bin && echo small > note.txt", 120_000, 1024, CancellationToken.None);

                var raw = new Timings($"{megabytes} MB: baseline: tar of the workspace streamed out by docker exec");
                var take = new Timings($"{megabytes} MB: take (archive into the payload store)");
                var restore = new Timings($"{megabytes} MB: restore into a new container");
                for (var run = 0; run < runs; run++)
                {
                    raw.Add(await TimeAsync(() => RawTarAsync(docker, source)));
                    var (address, _, _) = await TimeIntoAsync(take, () => snapshots.TakeAsync(source, long.MaxValue, CancellationToken.None));
                    var target = await sandbox.EnsureContainerAsync(Guid.NewGuid(), null, CancellationToken.None);
                    restore.Add(await TimeAsync(() => snapshots.RestoreAsync(target, address, CancellationToken.None)));
                    var check = await sandbox.RunAsync(target, "wc -c < d/data.bin", 30_000, 1024, CancellationToken.None);
                    if (check.Stdout.Trim() != (megabytes * 1024L * 1024L).ToString(System.Globalization.CultureInfo.InvariantCulture))
                    {
                        throw new InvalidOperationException($"the restored workspace holds {check.Stdout.Trim()} bytes, not {megabytes} MB");
                    }

                    await payloads.DeleteAsync(address);
                }

                table.Add("workspace snapshots", raw);
                table.Add("workspace snapshots", take);
                table.Add("workspace snapshots", restore);
            }
        }
        finally
        {
            await SandboxBench.RemoveAsync(docker, executorId);
            Directory.Delete(store, recursive: true);
        }
    }

    private static async Task RawTarAsync(DockerClient docker, string container)
    {
        var exec = await docker.Exec.CreateContainerExecAsync(container, new ContainerExecCreateParameters { Cmd = ["tar", "-C", "/mnt/data", "-cf", "-", "."], AttachStdout = true, AttachStderr = true });
        using var stream = await docker.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters());
        await stream.CopyOutputToAsync(Stream.Null, Stream.Null, Stream.Null, CancellationToken.None);
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await action();
        return clock.Elapsed;
    }

    private static async Task<T> TimeIntoAsync<T>(Timings timings, Func<Task<T>> action)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await action();
        timings.Add(clock.Elapsed);
        return result;
    }
}
