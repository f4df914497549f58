using System.Formats.Tar;
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

    private long MaxBytes => options.Value.MaxSnapshotMb * 1024L * 1024L;

    /// <summary>All <c>/mnt/skills</c> can hold (its tmpfs), and room for the archive's headers.</summary>
    private long SkillsMaxBytes => (options.Value.SkillsMb + 1) * 1024L * 1024L;

    private TimeSpan Retention => TimeSpan.FromDays(options.Value.SnapshotRetentionDays);

    /// <summary>
    /// Stores the workspace's archive, kept until <c>Executor:SnapshotRetentionDays</c> from now; refused
    /// with <c>snapshot_too_large</c> past <paramref name="maxBytes"/> (and never past <c>Executor:MaxSnapshotMb</c>).
    /// </summary>
    /// <param name="keep">Kept until deleted (a snapshot, which has a record and a retention); else for the snapshots' retention, then deleted by the store (a fork's starting files, which have no record).</param>
    /// <param name="withSkills">Archive <c>/mnt/skills</c> too, when it holds any (a workspace kept at expiry, a fork's files): a container made from them again gets its skills from there.</param>
    public async Task<WorkspaceSnapshotTaken> TakeAsync(string containerId, long maxBytes, CancellationToken cancellationToken, bool keep = true, bool withSkills = false)
    {
        var limit = Math.Min(maxBytes, MaxBytes);
        using var deadline = Deadline(cancellationToken);
        var (address, bytes) = await ArchiveAsync(containerId, DockerSandbox.WorkingDirectory, limit, keep, deadline.Token)
            ?? throw new FileOperationException(ErrorCodes.SnapshotTooLarge, $"The workspace's archive is larger than the {limit / (1024 * 1024)} MB a snapshot may have here.");
        var skills = withSkills ? await ArchiveAsync(containerId, ContainerSkillSeed.SkillsDirectory, SkillsMaxBytes, keep, deadline.Token, storeEmpty: false) : null;
        return new WorkspaceSnapshotTaken(address, bytes, _time.GetUtcNow() + Retention) { Skills = skills?.Address };
    }

    /// <summary>
    /// Stores a tar of the regular files and directories under <paramref name="directory"/> in the
    /// container: its address and size; null past <paramref name="limit"/>, or for an archive
    /// without entries when not <paramref name="storeEmpty"/>.
    /// </summary>
    private async Task<(Uri Address, long Bytes)?> ArchiveAsync(string containerId, string directory, long limit, bool keep, CancellationToken cancellationToken,
        bool storeEmpty = true)
    {
        var file = Path.Combine(Path.GetTempPath(), $"berth-snapshot-{Guid.NewGuid():N}.tar");
        try
        {
            await using (var archive = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                var exec = await docker.Exec.CreateContainerExecAsync(containerId, new ContainerExecCreateParameters
                {
                    Cmd = ["sh", "-c", "cd \"$1\" && find . -mindepth 1 \\( -type f -o -type d \\) -print0 | tar --null --no-recursion -T - -cf -", "sh", directory],
                    AttachStdout = true,
                    AttachStderr = true,
                }, cancellationToken);
                using var stream = await docker.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), cancellationToken);
                await using var limited = new LimitedStream(archive, limit);
                using var errors = new MemoryStream();
                try
                {
                    await stream.CopyOutputToAsync(Stream.Null, limited, errors, cancellationToken);
                }
                catch (LimitedStream.FullException)
                {
                    return null;
                }

                if (await docker.Exec.WaitForExitCodeAsync(exec.ID, cancellationToken) is not 0 and var code)
                {
                    throw new FileOperationException(ErrorCodes.FileError, $"The container's {directory} could not be archived (exit {code}): {Encoding.UTF8.GetString(errors.ToArray()).Trim()}");
                }
            }

            if (!storeEmpty && !await HasEntriesAsync(file, cancellationToken))
            {
                return null;
            }

            await using var stored = File.OpenRead(file);
            var address = keep ? await payloads.KeepAsync(stored, cancellationToken) : await payloads.PutAsync(stored, Retention, cancellationToken);
            return (address, stored.Length);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Whether a tar file holds any entry: an empty one is its end-of-archive blocks of zeros only.</summary>
    private static async Task<bool> HasEntriesAsync(string file, CancellationToken cancellationToken)
    {
        await using var archive = File.OpenRead(file);
        var header = new byte[512];
        var read = await archive.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
        return header.AsSpan(0, read).ContainsAnyExcept((byte)0);
    }

    /// <summary>Writes the snapshot's files into the container's workspace; a hostile or oversized archive is refused with <c>invalid_snapshot</c>.</summary>
    public Task RestoreAsync(string containerId, Uri address, CancellationToken cancellationToken) =>
        UnpackAsync(containerId, address, DockerSandbox.WorkingDirectory, user: null, MaxBytes, cancellationToken);

    /// <summary>
    /// Writes the skills archived with a workspace into <c>/mnt/skills</c>, as root, so that the
    /// sandbox's user can read them and not change them; checked as a snapshot is.
    /// </summary>
    public Task RestoreSkillsAsync(string containerId, Uri address, CancellationToken cancellationToken) =>
        UnpackAsync(containerId, address, ContainerSkillSeed.SkillsDirectory, user: "0", SkillsMaxBytes, cancellationToken);

    private async Task UnpackAsync(string containerId, Uri address, string directory, string? user, long maxBytes, CancellationToken cancellationToken)
    {
        using var deadline = Deadline(cancellationToken);
        await using var archive = await OpenAsync(address, deadline.Token);
        var exec = await docker.Exec.CreateContainerExecAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = ["tar", "-C", directory, "-xf", "-", "--no-same-owner", "--no-same-permissions"],
            User = user ?? "",
            AttachStdin = true,
            AttachStdout = true,
            AttachStderr = true,
        }, deadline.Token);
        using var stream = await docker.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), deadline.Token);
        var output = stream.CopyOutputToAsync(Stream.Null, Stream.Null, Stream.Null, deadline.Token);
        try
        {
            await using var into = new ExecStdin(stream);
            await CopySafelyAsync(archive, into, maxBytes, deadline.Token);
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
}
