using System.Formats.Tar;
using System.Runtime.InteropServices;
using System.Text;
using Berth.Contracts;
using Berth.ServiceDefaults.Payloads;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace Berth.Executor.Sandbox;

/// <summary>
/// A container's workspace (<c>/mnt/data</c>) as one tar archive in the shared payload store, so
/// that a snapshot taken on one executor restores on another. Only regular files and directories
/// are taken. On restore the archive is untrusted input, like an upload: it is read here entry by
/// entry, and only plain relative paths of regular files and directories, within the size and
/// count limits, are written on into the new container, by the sandbox's user.
/// </summary>
internal sealed class WorkspaceSnapshots(DockerClient docker, PayloadStore payloads, IOptions<ExecutorOptions> options, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>More entries than any workspace of <c>Executor:WorkspaceMb</c> holds in practice; a bound for a hostile archive.</summary>
    public const int MaxEntries = 100_000;

    private const int MaxPathLength = 4096;
    private const string Take = "cd /mnt/data && find . -mindepth 1 \\( -type f -o -type d \\) -print0 | tar --null --no-recursion -T - -cf -";

    private long MaxBytes => options.Value.MaxSnapshotMb * 1024L * 1024L;

    /// <summary>
    /// Stores the workspace's archive, kept until <c>Executor:SnapshotRetentionDays</c> from now; refused
    /// with <c>snapshot_too_large</c> past <paramref name="maxBytes"/> (and never past <c>Executor:MaxSnapshotMb</c>).
    /// </summary>
    /// <param name="keep">Kept until deleted (a snapshot, which has a record and a retention); else for the snapshots' retention, then deleted by the store (a fork's starting files, which have no record).</param>
    public async Task<WorkspaceSnapshotTaken> TakeAsync(string containerId, long maxBytes, CancellationToken cancellationToken, bool keep = true)
    {
        var limit = Math.Min(maxBytes, MaxBytes);
        var file = Path.Combine(Path.GetTempPath(), $"berth-snapshot-{Guid.NewGuid():N}.tar");
        try
        {
            using var deadline = Deadline(cancellationToken);
            await using (var archive = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                var exec = await docker.Exec.CreateContainerExecAsync(containerId, new ContainerExecCreateParameters
                {
                    Cmd = ["sh", "-c", Take],
                    AttachStdout = true,
                    AttachStderr = true,
                }, deadline.Token);
                using var stream = await docker.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), deadline.Token);
                await using var limited = new LimitedStream(archive, limit);
                using var errors = new MemoryStream();
                try
                {
                    await stream.CopyOutputToAsync(Stream.Null, limited, errors, deadline.Token);
                }
                catch (LimitedStream.FullException)
                {
                    throw new FileOperationException(ErrorCodes.SnapshotTooLarge,
                        $"The workspace's archive is larger than the {limit / (1024 * 1024)} MB a snapshot may have here.");
                }

                if (await docker.Exec.WaitForExitCodeAsync(exec.ID, deadline.Token) is not 0 and var code)
                {
                    throw new FileOperationException(ErrorCodes.FileError, $"The workspace could not be archived (exit {code}): {Encoding.UTF8.GetString(errors.ToArray()).Trim()}");
                }
            }

            var bytes = new FileInfo(file).Length;
            var retention = TimeSpan.FromDays(options.Value.SnapshotRetentionDays);
            await using var stored = File.OpenRead(file);
            var address = keep ? await payloads.KeepAsync(stored, cancellationToken) : await payloads.PutAsync(stored, retention, cancellationToken);
            return new WorkspaceSnapshotTaken(address, bytes, _time.GetUtcNow() + retention);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Writes the snapshot's files into the container's workspace; a hostile or oversized archive is refused with <c>invalid_snapshot</c>.</summary>
    public async Task RestoreAsync(string containerId, Uri address, CancellationToken cancellationToken)
    {
        using var deadline = Deadline(cancellationToken);
        await using var archive = await OpenAsync(address, deadline.Token);
        var exec = await docker.Exec.CreateContainerExecAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = ["tar", "-C", DockerSandbox.WorkingDirectory, "-xf", "-", "--no-same-owner", "--no-same-permissions"],
            AttachStdin = true,
            AttachStdout = true,
            AttachStderr = true,
        }, deadline.Token);
        using var stream = await docker.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), deadline.Token);
        var output = stream.CopyOutputToAsync(Stream.Null, Stream.Null, Stream.Null, deadline.Token);
        try
        {
            await using var into = new ExecStdin(stream);
            await CopySafelyAsync(archive, into, MaxBytes, deadline.Token);
        }
        finally
        {
            // Also when the archive was refused half way: the container's tar then ends at once
            // on a cut archive (the container is removed by whoever asked for it), not at the deadline.
            stream.CloseWrite();
            await output;
        }

        if (await docker.Exec.WaitForExitCodeAsync(exec.ID, deadline.Token) is not 0 and var code)
        {
            throw new FileOperationException(ErrorCodes.InvalidSnapshot, $"The snapshot could not be unpacked in the container (tar exit {code}).");
        }
    }

    private async Task<Stream> OpenAsync(Uri address, CancellationToken cancellationToken)
    {
        try
        {
            return await payloads.OpenAsync(address, cancellationToken);
        }
        catch (MassTransit.MessageDataNotFoundException)
        {
            throw new FileOperationException(ErrorCodes.PayloadUnavailable, "The snapshot's archive is no longer in the payload store.");
        }
    }

    /// <summary>
    /// Copies the archive's regular files and directories to <paramref name="into"/> as a new
    /// archive, refusing the whole of it at the first entry that is anything else, names a path
    /// that is absolute or climbs out, or passes the size or count limit.
    /// </summary>
    public static async Task CopySafelyAsync(Stream archive, Stream into, long maxBytes, CancellationToken cancellationToken)
    {
        await using var reader = new TarReader(archive, leaveOpen: true);
        await using var writer = new TarWriter(into, TarEntryFormat.Pax, leaveOpen: true);
        long total = 0;
        var entries = 0;
        TarEntry? entry;
        try
        {
            while ((entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken)) is not null)
            {
                if (++entries > MaxEntries)
                {
                    throw Invalid($"it has more than {MaxEntries} entries");
                }

                var name = PlainPath(entry.Name) ?? throw Invalid($"the entry '{Shortened(entry.Name)}' is not a plain path under /mnt/data");
                if (entry.EntryType is TarEntryType.Directory)
                {
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, name) { Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute }, cancellationToken);
                    continue;
                }

                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                {
                    throw Invalid($"the entry '{Shortened(name)}' is a {entry.EntryType}, not a regular file or directory");
                }

                total += entry.Length;
                if (total > maxBytes)
                {
                    throw Invalid($"its files hold more than {maxBytes / (1024 * 1024)} MB");
                }

                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                    ModificationTime = entry.ModificationTime,
                    DataStream = entry.DataStream,
                }, cancellationToken);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw Invalid("it is not a tar archive");
        }
    }

    /// <summary>The entry's path without a leading <c>./</c>, or null when it is empty, absolute, climbs out, or holds a NUL or a backslash.</summary>
    public static string? PlainPath(string name)
    {
        var trimmed = name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name;
        trimmed = trimmed.TrimEnd('/');
        if (trimmed.Length is 0 or > MaxPathLength || trimmed.StartsWith('/') || trimmed.Contains('\0', StringComparison.Ordinal) || trimmed.Contains('\\', StringComparison.Ordinal))
        {
            return null;
        }

        return trimmed.Split('/').Any(segment => segment is "" or "." or "..") ? null : trimmed;
    }

    private static FileOperationException Invalid(string why) => new(ErrorCodes.InvalidSnapshot, $"The snapshot cannot be restored: {why}.");

    private static string Shortened(string text) => text.Length <= 64 ? text : text[..64] + "…";

    private CancellationTokenSource Deadline(CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(options.Value.SnapshotSeconds));
        return deadline;
    }

    /// <summary>Writes through to a file, and refuses to pass a limit, so a container cannot make the executor keep more.</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long _written;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Count(buffer.Length);
            inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Count(buffer.Length);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        private void Count(int bytes)
        {
            _written += bytes;
            if (_written > limit)
            {
                throw new FullException();
            }
        }

        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public sealed class FullException() : Exception("The archive is larger than allowed.");
    }

    /// <summary>An exec's standard input as a write-only stream, for <see cref="TarWriter"/>.</summary>
    private sealed class ExecStdin(MultiplexedStream exec) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Written asynchronously only.");

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            exec.WriteAsync(buffer, offset, count, cancellationToken);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            // The engine's stream takes arrays: the tar writer's buffer is used as it is when it is one.
            var segment = MemoryMarshal.TryGetArray(buffer, out var array) ? array : new ArraySegment<byte>(buffer.ToArray());
            await exec.WriteAsync(segment.Array!, segment.Offset, segment.Count, cancellationToken);
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
