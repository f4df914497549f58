using System.Collections.Concurrent;
using System.Text;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Which files of a session's container its tenant uploaded (<c>source: user</c>), as opposed to
/// files the agent wrote (<c>assistant</c>). Kept by the executor, in memory and in its state
/// directory, never in the container: anything there is the sandbox user's to rewrite, so a
/// command could otherwise pass its own files off as the tenant's, or make listing fail.
/// </summary>
public sealed class UploadRecords
{
    /// <summary>Paths recorded per session; an upload past it is refused, so a tenant cannot grow the executor's memory without end.</summary>
    public const int MaxPerSession = 10_000;

    private readonly ConcurrentDictionary<Guid, HashSet<string>> _uploads = new();

    /// <summary>Lines in each session's file; past twice its paths (and some), the file is written anew.</summary>
    private readonly ConcurrentDictionary<Guid, int> _lines = new();
    private readonly string _directory;

    public UploadRecords(ExecutorOptions options)
    {
        _directory = Path.Combine(options.StateDirectoryPath, options.InstanceId, "uploads");
        foreach (var file in Directory.Exists(_directory) ? Directory.GetFiles(_directory) : [])
        {
            if (Guid.TryParseExact(Path.GetFileName(file), "N", out var sessionId))
            {
                var lines = File.ReadAllLines(file);
                _uploads[sessionId] = Replay(lines);
                _lines[sessionId] = lines.Length;
            }
        }
    }

    /// <summary>Whether one more upload to <paramref name="path"/> may be recorded.</summary>
    public bool HasRoomFor(Guid sessionId, string path)
    {
        var paths = _uploads.GetValueOrDefault(sessionId);
        if (paths is null)
        {
            return true;
        }

        lock (paths)
        {
            return paths.Count < MaxPerSession || paths.Contains(path);
        }
    }

    public bool Contains(Guid sessionId, string path)
    {
        var paths = _uploads.GetValueOrDefault(sessionId);
        if (paths is null)
        {
            return false;
        }

        lock (paths)
        {
            return paths.Contains(path);
        }
    }

    /// <summary>The recorded paths of the session, to tell each listed file's source.</summary>
    public IReadOnlySet<string> Of(Guid sessionId)
    {
        var paths = _uploads.GetValueOrDefault(sessionId);
        if (paths is null)
        {
            return new HashSet<string>();
        }

        lock (paths)
        {
            return paths.ToHashSet(StringComparer.Ordinal);
        }
    }

    public void Add(Guid sessionId, string path) => Change(sessionId, paths => paths.Add(path), '+', path);

    public void Remove(Guid sessionId, string path) => Change(sessionId, paths => paths.Remove(path), '-', path);

    /// <summary>The session's container is gone, and its files with it.</summary>
    public void Forget(Guid sessionId)
    {
        _lines.TryRemove(sessionId, out _);
        if (_uploads.TryRemove(sessionId, out _))
        {
            File.Delete(FileOf(sessionId));
        }
    }

    /// <summary>Forgets the sessions this executor no longer holds (after adopting its containers).</summary>
    public void KeepOnly(IReadOnlyCollection<Guid> held)
    {
        foreach (var sessionId in _uploads.Keys.Except(held).ToList())
        {
            Forget(sessionId);
        }
    }

    // One line appended per change ('+' or '-', then the path in base64, as a name may hold a line
    // break), so an upload costs the same however many came before; replayed at start-up. A line
    // cut short by a crash does not decode, and is skipped.
    private void Change(Guid sessionId, Func<HashSet<string>, bool> change, char sign, string path)
    {
        var paths = _uploads.GetOrAdd(sessionId, _ => new HashSet<string>(StringComparer.Ordinal));
        lock (paths)
        {
            if (!change(paths))
            {
                return;
            }

            Directory.CreateDirectory(_directory);
            var lines = _lines.AddOrUpdate(sessionId, 1, (_, count) => count + 1);
            if (lines <= (2 * paths.Count) + 1_000)
            {
                File.AppendAllLines(FileOf(sessionId), [Line(sign, path)]);
                return;
            }

            // Written whole to a temporary file and renamed over the old one: a crash mid-write leaves the old file.
            var temporary = FileOf(sessionId) + ".new";
            File.WriteAllLines(temporary, paths.Select(kept => Line('+', kept)));
            File.Move(temporary, FileOf(sessionId), overwrite: true);
            _lines[sessionId] = paths.Count;
        }
    }

    private string FileOf(Guid sessionId) => Path.Combine(_directory, sessionId.ToString("N"));

    private static string Line(char sign, string path) => sign + Convert.ToBase64String(Encoding.UTF8.GetBytes(path));

    private static HashSet<string> Replay(IEnumerable<string> lines)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines.Where(line => line.Length > 1))
        {
            string path;
            try
            {
                path = Encoding.UTF8.GetString(Convert.FromBase64String(line[1..]));
            }
            catch (FormatException)
            {
                continue;
            }

            _ = line[0] == '+' ? paths.Add(path) : paths.Remove(path);
        }

        return paths;
    }
}
