using System.Globalization;
using System.Text.RegularExpressions;
using MassTransit;

namespace Berth.ServiceDefaults.Payloads;

/// <summary>
/// Payloads as files in a directory shared by the services of one host, one sub-directory per
/// hour of expiry, so that sweeping is deleting whole directories whose hour has passed; those
/// put without a time to live (kept until deleted) in one that is never swept.
/// Written here rather than using MassTransit's <c>FileSystemMessageDataRepository</c>, which
/// neither deletes nor expires anything and builds its path from the address it is handed.
/// </summary>
public sealed partial class FileSystemPayloadRepository : IPayloadRepository
{
    private const string HourFormat = "yyyyMMddHH";
    private const string Kept = "kept";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly string _directory;
    private readonly TimeProvider _time;

    public FileSystemPayloadRepository(string directory, TimeProvider time)
    {
        _directory = Path.GetFullPath(directory);
        _time = time;
        CreateOwnerOnly(_directory);
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(_directory) & ~(OwnerOnly | UnixFileMode.SetGroup | UnixFileMode.StickyBit)) != 0)
        {
            throw new InvalidOperationException($"The payload directory {_directory} may be read by others; make it owner-only (chmod 700) or name another with Payloads__Directory.");
        }
    }

    public async Task<Uri> Put(Stream stream, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        // Named after the first hour by which it has surely expired.
        var bucket = Kept;
        if (timeToLive is { } ttl)
        {
            var expires = _time.GetUtcNow() + ttl;
            bucket = new DateTimeOffset(expires.Year, expires.Month, expires.Day, expires.Hour, 0, 0, TimeSpan.Zero).AddHours(1).ToString(HourFormat, CultureInfo.InvariantCulture);
        }

        var id = Guid.NewGuid().ToString("N");
        var folder = Path.Combine(_directory, bucket);
        CreateOwnerOnly(folder);

        // Written under a temporary name and renamed, so no reader ever sees half of it.
        var partial = Path.Combine(folder, $".{id}.part");
        try
        {
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using (var file = new FileStream(partial, create))
            {
                await stream.CopyToAsync(file, cancellationToken);
            }

            File.Move(partial, Path.Combine(folder, id));
        }
        catch
        {
            File.Delete(partial);
            throw;
        }

        return new Uri($"urn:berth-payload:file:{bucket}:{id}");
    }

    public Task<Stream> Get(Uri address, CancellationToken cancellationToken = default)
    {
        try
        {
            return Task.FromResult<Stream>(new FileStream(PathOf(address), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.Asynchronous));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new MessageDataNotFoundException(address);
        }
    }

    public Task DeleteAsync(Uri address, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(address));
        return Task.CompletedTask;
    }

    public Task<int> DeleteExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var folder in Directory.EnumerateDirectories(_directory))
        {
            if (DateTimeOffset.TryParseExact(Path.GetFileName(folder), HourFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var hour)
                && hour <= now)
            {
                deleted += Directory.EnumerateFiles(folder).Count();
                Directory.Delete(folder, recursive: true);
            }
        }

        return Task.FromResult(deleted);
    }

    private static void CreateOwnerOnly(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, OwnerOnly);
        }
    }

    /// <summary>The file an address names; an address this repository did not make names nothing.</summary>
    private string PathOf(Uri address)
    {
        var match = Address().Match(address.OriginalString);
        return match.Success
            ? Path.Combine(_directory, match.Groups["hour"].Value, match.Groups["id"].Value)
            : throw new MessageDataNotFoundException(address);
    }

    [GeneratedRegex("^urn:berth-payload:file:(?<hour>[0-9]{10}|kept):(?<id>[0-9a-f]{32})$", RegexOptions.CultureInvariant)]
    private static partial Regex Address();
}
