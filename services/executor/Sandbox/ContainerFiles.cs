using System.Globalization;
using System.Text;
using Berth.Contracts;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Files under <c>/mnt/data</c> of a session container, moved through <c>docker exec</c> rather than
/// Docker's archive endpoints, which refuse to copy into a container whose root filesystem is
/// read-only (even into a writable mount). Every path is resolved inside the container first,
/// so <c>..</c> and symbolic links cannot reach anything outside <c>/mnt/data</c>.
/// </summary>
public sealed class ContainerFiles(DockerClient docker)
{
    public const long MaxDownloadBytes = 64L * 1024 * 1024;
    private const int OutsideDataDirectory = 3;
    private const int Missing = 4;
    private const string UploadsManifest = "/tmp/.berth-uploads";

    // $1 is the path; the resolved path is left in $p.
    private const string Resolve =
        "p=$(realpath -m -- \"/mnt/data/$1\") || exit 3; case \"$p\" in /mnt/data/?*) ;; *) echo \"the path is outside /mnt/data\" >&2; exit 3;; esac; ";

    public async Task<ContainerFileInfo> PutAsync(string containerId, string path, byte[] content, CancellationToken cancellationToken)
    {
        var result = await ExecAsync(containerId,
            Resolve + "mkdir -p -- \"$(dirname -- \"$p\")\" && cat > \"$p\" && echo \"${p#/mnt/data/}\" >> " + UploadsManifest + " && stat -c '%s %Y' -- \"$p\"",
            path, content, cancellationToken);
        return Parse(Check(result, path), path, "user");
    }

    public async Task<ContainerFileInfo> GetAsync(string containerId, string path, bool includeContent, CancellationToken cancellationToken)
    {
        var info = await ExecAsync(containerId,
            Resolve + "[ -f \"$p\" ] || exit 4; stat -c '%s %Y' -- \"$p\"; grep -qxF -- \"${p#/mnt/data/}\" " + UploadsManifest + " 2>/dev/null && echo user || echo assistant",
            path, null, cancellationToken);
        var lines = Check(info, path).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var file = Parse(lines[0], path, lines.ElementAtOrDefault(1) ?? "assistant");
        if (!includeContent)
        {
            return file;
        }

        if (file.Bytes > MaxDownloadBytes)
        {
            throw new FileOperationException("too_large", $"The file has {file.Bytes} bytes; downloads are limited to {MaxDownloadBytes}.");
        }

        var content = await ExecAsync(containerId, Resolve + "cat -- \"$p\"", path, null, cancellationToken);
        Check(content, path);
        return file with { Content = content.Stdout };
    }

    public async Task<IReadOnlyList<ContainerFileInfo>> ListAsync(string containerId, CancellationToken cancellationToken)
    {
        var found = await ExecAsync(containerId, "find /mnt/data -type f -printf '%s %T@ %P\\0'; printf '\\0'; cat " + UploadsManifest + " 2>/dev/null", "", null, cancellationToken);
        var text = Encoding.UTF8.GetString(found.Stdout);
        var split = text.IndexOf("\0\0", StringComparison.Ordinal);
        var listing = split < 0 ? text : text[..split];
        var uploads = split < 0 ? [] : text[(split + 2)..].Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        return [.. listing.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split(' ', 3))
            .Where(parts => parts.Length == 3)
            .Select(parts => Parse($"{parts[0]} {parts[1]}", parts[2], uploads.Contains(parts[2]) ? "user" : "assistant"))
            .OrderBy(file => file.Path, StringComparer.Ordinal)];
    }

    public async Task DeleteAsync(string containerId, string path, CancellationToken cancellationToken)
    {
        var result = await ExecAsync(containerId, Resolve + "[ -f \"$p\" ] || exit 4; rm -f -- \"$p\"", path, null, cancellationToken);
        Check(result, path);
    }

    private static string Check((long ExitCode, byte[] Stdout, string Stderr) result, string path) => result.ExitCode switch
    {
        0 => Encoding.UTF8.GetString(result.Stdout),
        OutsideDataDirectory => throw new FileOperationException("invalid_path", $"'{path}' is not a path under /mnt/data."),
        Missing => throw new FileOperationException("not_found", $"No file '{path}' in the container."),
        _ => throw new FileOperationException("file_error", $"The file operation on '{path}' failed: {result.Stderr.Trim()}"),
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

    private async Task<(long ExitCode, byte[] Stdout, string Stderr)> ExecAsync(string containerId, string script, string path, byte[]? stdin,
        CancellationToken cancellationToken)
    {
        var exec = await docker.Exec.CreateContainerExecAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = ["sh", "-c", script, "sh", path],
            AttachStdin = stdin is not null,
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken);

        using var stream = await docker.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), cancellationToken);
        if (stdin is not null)
        {
            await stream.WriteAsync(stdin, 0, stdin.Length, cancellationToken);
            stream.CloseWrite();
        }

        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        await stream.CopyOutputToAsync(Stream.Null, stdout, stderr, cancellationToken);

        var exitCode = await docker.Exec.WaitForExitCodeAsync(exec.ID, cancellationToken) ?? -1;
        return (exitCode, stdout.ToArray(), Encoding.UTF8.GetString(stderr.ToArray()));
    }
}

/// <summary>A file operation refused for a reason the client can act on.</summary>
public sealed class FileOperationException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
