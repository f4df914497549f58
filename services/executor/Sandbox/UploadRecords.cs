using System.Collections.Concurrent;
using System.Text;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Which files of a session's container its tenant uploaded (<c>source: user</c>), as opposed to
/// files the agent wrote (<c>assistant</c>). Kept by the executor, in memory and in its state
/// directory, never in the container: anything there is the sandbox user's to rewrite, so a
/// command could otherwise pass its own files off as the tenant's, or make listing fail.
/// </summary>
internal sealed class UploadRecords
{
    /// <summary>Paths recorded per session; an upload past it is refused, so a tenant cannot grow the executor's memory without end.</summary>
    public const int MaxPerSession = 10_000;

    private readonly ConcurrentDictionary<Guid, Record> _records = new();
    private readonly string _directory;

    public UploadRecords(ExecutorOptions options)
    {
        _directory = Path.Combine(options.StateDirectoryPath, options.InstanceId, "uploads");
        foreach (var file in Directory.Exists(_directory) ? Directory.GetFiles(_directory) : [])
        {
            if (Guid.TryParseExact(Path.GetFileName(file), "N", out var sessionId))
            {
                var lines = File.ReadAllLines(file);
                _records[sessionId] = new Record { Paths = Replay(lines), Lines = lines.Length };
            }
        }
    }

    /// <summary>Whether one more upload to <paramref name="path"/> may be recorded.</summary>
    public bool HasRoomFor(Guid sessionId, string path) => Read(sessionId, paths => paths.Count < MaxPerSession || paths.Contains(path), true);

    public bool Contains(Guid sessionId, string path) => Read(sessionId, paths => paths.Contains(path), false);

    /// <summary>The recorded paths of the session, to tell each listed file's source.</summary>
    public IReadOnlySet<string> Of(Guid sessionId) => Read<IReadOnlySet<string>>(sessionId, paths => paths.ToHashSet(StringComparer.Ordinal), new HashSet<string>());

    public void Add(Guid sessionId, string path) => Change(sessionId, paths => paths.Add(path), '+', path);

    public void Remove(Guid sessionId, string path) => Change(sessionId, paths => paths.Remove(path), '-', path);

    /// <summary>The session's container is gone, and its files with it.</summary>
    public void Forget(Guid sessionId)
    {
        if (_records.TryRemove(sessionId, out _))
        {
            File.Delete(FileOf(sessionId));
        }
    }

    /// <summary>Forgets the sessions this executor no longer holds (after adopting its containers).</summary>
    public void KeepOnly(IReadOnlyCollection<Guid> held)
    {
        foreach (var sessionId in _records.Keys.Except(held).ToList())
        {
            Forget(sessionId);
        }
    }

    private T Read<T>(Guid sessionId, Func<HashSet<string>, T> read, T none)
    {
        if (!_records.TryGetValue(sessionId, out var record))
        {
            return none;
        }

        lock (record)
        {
            return read(record.Paths);
        }
    }

    // One line appended per change ('+' or '-', then the path in base64, as a name may hold a line
    // break), so an upload costs the same however many came before; replayed at start-up. A line
    // cut short by a crash does not decode, and is skipped.
    private void Change(Guid sessionId, Func<HashSet<string>, bool> change, char sign, string path)
    {
        var record = _records.GetOrAdd(sessionId, _ => new Record());
        lock (record)
        {
            if (!change(record.Paths))
            {
                return;
            }

            Directory.CreateDirectory(_directory);
            if (++record.Lines <= (2 * record.Paths.Count) + 1_000)
            {
                File.AppendAllLines(FileOf(sessionId), [Line(sign, path)]);
                return;
            }

            // Past twice its paths (and some), the file is written anew: whole, to a temporary
            // file renamed over the old one, so that a crash mid-write leaves the old file.
            var temporary = FileOf(sessionId) + ".new";
            File.WriteAllLines(temporary, record.Paths.Select(kept => Line('+', kept)));
            File.Move(temporary, FileOf(sessionId), overwrite: true);
            record.Lines = record.Paths.Count;
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

    /// <summary>One session's uploaded paths, and the lines its file holds; both changed under a lock on it.</summary>
    private sealed class Record
    {
        public HashSet<string> Paths { get; init; } = new(StringComparer.Ordinal);

        public int Lines { get; set; }
    }
}
