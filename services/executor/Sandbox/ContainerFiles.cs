using System.Globalization;
using System.Text;
using Berth.Contracts;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Files under <c>/mnt/data</c> of a session container, moved through <c>docker exec</c> rather than
/// Docker's archive endpoints, which refuse to copy into a container whose root filesystem is
/// read-only (even into a writable mount). Every path is resolved inside the container first,
/// so <c>..</c> and symbolic links cannot reach anything outside <c>/mnt/data</c>. The container is
/// the sandbox user's: anything in it may be swapped for a FIFO or a link between two steps, so
/// each operation has a deadline (killed in the container, given up on the executor), reads at
/// most a fixed number of bytes, and writes or reads only regular files, checked by the very
/// process that opens them. Which files the tenant uploaded is the executor's record
/// (<see cref="UploadRecords"/>), not the container's.
/// </summary>
internal sealed class ContainerFiles(DockerClient docker, IOptions<ExecutorOptions> options, UploadRecords uploads)
{
    public const long MaxDownloadBytes = 64L * 1024 * 1024;

    // What one operation may print besides a download: a listing of a full workspace fits well.
    private const long MaxOutputBytes = MaxDownloadBytes + (16L * 1024 * 1024);
    private const int MaxErrorBytes = 64 * 1024;
    private const int OutsideDataDirectory = 3;
    private const int Missing = 4;
    private const int NotRegular = 5;

    // What timeout(1) exits with when its KILL ends the operation.
    private const int Killed = 137;

    // $1 is the path; the resolved path is left in $p.
    private const string Resolve =
        "p=$(realpath -m -- \"/mnt/data/$1\") || exit 3; case \"$p\" in /mnt/data/?*) ;; *) echo \"the path is outside /mnt/data\" >&2; exit 3;; esac; ";

    // Prints the resolved path under /mnt/data, NUL-ended (a name may hold a line break): the
    // name the upload record and the listing know the file by.
    private const string PrintResolved = "printf '%s\\0' \"${p#/mnt/data/}\"; ";

    public async Task<ContainerFileInfo> PutAsync(Guid sessionId, string containerId, string path, byte[] content, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(content, writable: false);
        return await PutAsync(sessionId, containerId, path, stream, cancellationToken);
    }

    public async Task<ContainerFileInfo> PutAsync(Guid sessionId, string containerId, string path, Stream content, CancellationToken cancellationToken)
    {
        if (!uploads.HasRoomFor(sessionId, path))
        {
            throw new FileOperationException(ErrorCodes.TooManyFiles, $"The container has {UploadRecords.MaxPerSession} uploaded files already; delete some first.");
        }

        // Written to a new file of mktemp's (never a FIFO or a link planted under the name), then
        // renamed over the name, which replaces whatever is there but a directory.
        var result = await ExecAsync(containerId,
            Resolve + "d=$(dirname -- \"$p\") && mkdir -p -- \"$d\" && t=$(mktemp -p \"$d\" .berth-upload.XXXXXX) || exit 1; "
            + "{ cat > \"$t\" && mv -fT -- \"$t\" \"$p\"; } || { rm -f -- \"$t\"; exit 1; }; "
            + PrintResolved + "stat -c '%s %Y' -- \"$p\"",
            path, content, cancellationToken);
        var (resolved, stat) = SplitResolved(Check(result, path));
        uploads.Add(sessionId, resolved);
        return Parse(stat, path, "user");
    }

    public async Task<ContainerFileInfo> GetAsync(Guid sessionId, string containerId, string path, bool includeContent, CancellationToken cancellationToken)
    {
        var info = await ExecAsync(containerId, Resolve + "[ -f \"$p\" ] || exit 4; " + PrintResolved + "stat -c '%s %Y' -- \"$p\"", path, null, cancellationToken);
        var (resolved, stat) = SplitResolved(Check(info, path));
        var file = Parse(stat, path, SourceOf(sessionId, resolved));
        if (!includeContent)
        {
            return file;
        }

        if (file.Bytes > MaxDownloadBytes)
        {
            throw new FileOperationException(ErrorCodes.FileTooLargeToRead, $"The file has {file.Bytes} bytes; downloads are limited to {MaxDownloadBytes}.");
        }

        // The file is opened once, checked to be a regular file through that open descriptor, and
        // read through it, at most one byte past the limit: a swap for a FIFO fed from /dev/zero
        // after the stat above gets nowhere.
        var content = await ExecAsync(containerId,
            Resolve + "exec 3< \"$p\" || exit 4; [ -f /proc/$$/fd/3 ] || exit 5; head -c " + (MaxDownloadBytes + 1).ToString(CultureInfo.InvariantCulture) + " <&3",
            path, null, cancellationToken);
        Check(content, path);
        if (content.Stdout.Length > MaxDownloadBytes)
        {
            throw new FileOperationException(ErrorCodes.FileTooLargeToRead, $"The file has grown past {MaxDownloadBytes} bytes; downloads are limited to that.");
        }

        return file with { Content = content.Stdout };
    }

    /// <summary>Every file, oldest first (then by path).</summary>
    public async Task<IReadOnlyList<ContainerFileInfo>> ListAsync(Guid sessionId, string containerId, CancellationToken cancellationToken)
    {
        var found = await ExecAsync(containerId, "find /mnt/data -type f -printf '%s %T@ %P\\0'", "", null, cancellationToken);
        if (found.ExitCode == Killed)
        {
            Check(found, "/mnt/data");
        }

        // Any other failure of find (a directory the sandbox made unreadable) still lists what it could read.
        var uploaded = uploads.Of(sessionId);
        return [.. Encoding.UTF8.GetString(found.Stdout).Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split(' ', 3))
            .Where(parts => parts.Length == 3)
            .Select(parts => Parse($"{parts[0]} {parts[1]}", parts[2], uploaded.Contains(parts[2]) ? "user" : "assistant"))
            .OrderBy(file => file.CreatedAt)
            .ThenBy(file => file.Path, StringComparer.Ordinal)];
    }

    public async Task DeleteAsync(Guid sessionId, string containerId, string path, CancellationToken cancellationToken)
    {
        var result = await ExecAsync(containerId, Resolve + "[ -f \"$p\" ] || exit 4; " + PrintResolved + "rm -f -- \"$p\"", path, null, cancellationToken);
        uploads.Remove(sessionId, SplitResolved(Check(result, path)).Resolved);
    }

    private string SourceOf(Guid sessionId, string resolved) => uploads.Contains(sessionId, resolved) ? "user" : "assistant";

    private static (string Resolved, string Output) SplitResolved(string output)
    {
        var end = output.IndexOf('\0', StringComparison.Ordinal);
        return end < 0 ? throw new FileOperationException(ErrorCodes.FileError, "The file operation printed no path.") : (output[..end], output[(end + 1)..]);
    }

    private string Check((long ExitCode, byte[] Stdout, string Stderr) result, string path) => result.ExitCode switch
    {
        0 => Encoding.UTF8.GetString(result.Stdout),
        OutsideDataDirectory => throw new FileOperationException(ErrorCodes.InvalidPath, $"'{path}' is not a path under /mnt/data."),
        Missing => throw new FileOperationException(ErrorCodes.FileNotFound, $"No file '{path}' in the container."),
        NotRegular => throw new FileOperationException(ErrorCodes.InvalidPath, $"'{path}' is not a regular file."),
        Killed => throw new FileOperationException(ErrorCodes.Timeout, $"The file operation on '{path}' did not finish within {options.Value.FileOperationSeconds} s."),
        _ => throw new FileOperationException(ErrorCodes.FileError, $"The file operation on '{path}' failed: {result.Stderr.Trim()}"),
    };

    private static ContainerFileInfo Parse(string stat, string path, string source)
    {
        var parts = stat.Trim().Split(' ');
        var seconds = double.Parse(parts[1], CultureInfo.InvariantCulture);
        return new ContainerFileInfo
        {
            Path = path,
            Bytes = long.Parse(parts[0], CultureInfo.InvariantCulture),
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)),
            Source = source,
        };
    }

    /// <param name="user">Who runs it: the sandbox's user, or <c>0</c> for root (with the container's capabilities, none) where only root may write.</param>
    internal async Task<(long ExitCode, byte[] Stdout, string Stderr)> ExecAsync(string containerId, string script, string path, Stream? stdin,
        CancellationToken cancellationToken, string? user = null)
    {
        var seconds = options.Value.FileOperationSeconds;
        var exec = await docker.Exec.CreateContainerExecAsync(containerId, new ContainerExecCreateParameters
        {
            // Killed in the container at the deadline, whatever it waits on.
            Cmd = ["timeout", "-s", "KILL", seconds.ToString(CultureInfo.InvariantCulture), "sh", "-c", script, "sh", path],
            User = user ?? "",
            AttachStdin = stdin is not null,
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken);

        // And given up on here a little later, should the engine not say the exec ended.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(seconds + 5));
        try
        {
            using var stream = await docker.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), deadline.Token);
            if (stdin is not null)
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await stdin.ReadAsync(buffer, deadline.Token)) > 0)
                {
                    await stream.WriteAsync(buffer, 0, read, deadline.Token);
                }

                stream.CloseWrite();
            }

            using var stdout = new BoundedStream(MaxOutputBytes);
            using var stderr = new BoundedStream(MaxErrorBytes);
            await stream.CopyOutputToAsync(Stream.Null, stdout, stderr, deadline.Token);

            var exitCode = await docker.Exec.WaitForExitCodeAsync(exec.ID, deadline.Token) ?? -1;
            return (exitCode, stdout.ToArray(), Encoding.UTF8.GetString(stderr.ToArray()));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (Killed, [], "");
        }
        catch (BoundedStream.FullException)
        {
            throw new FileOperationException(ErrorCodes.FileTooLargeToRead, $"The file operation on '{path}' printed more than {MaxOutputBytes} bytes.");
        }
    }

    /// <summary>A memory stream that refuses to grow past its limit, so a container cannot make the executor hold more.</summary>
    private sealed class BoundedStream(long limit) : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            if (Length + count > limit)
            {
                throw new FullException();
            }

            base.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Length + buffer.Length > limit)
            {
                throw new FullException();
            }

            base.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public sealed class FullException() : Exception("The output is larger than allowed.");
    }
}

/// <summary>A file operation refused for a reason the client can act on.</summary>
internal sealed class FileOperationException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
