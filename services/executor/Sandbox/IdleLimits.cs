using System.Collections.Concurrent;
using System.Globalization;

namespace Berth.Executor.Sandbox;

/// <summary>
/// Containers' own idle limits (<c>expires_after</c> on <c>POST /v1/containers</c>), kept in the
/// executor's state directory as well as in memory, so that a restarted executor removes an
/// adopted container after its own limit rather than the default. Docker cannot add a label to a
/// container once made, and a container claimed from the warm pool was made before its limit was known.
/// </summary>
internal sealed class IdleLimits
{
    private readonly ConcurrentDictionary<Guid, TimeSpan> _limits = new();
    private readonly string _file;
    private readonly Lock _writing = new();

    public IdleLimits(ExecutorOptions options)
    {
        _file = Path.Combine(options.StateDirectoryPath, options.InstanceId, "idle-limits");
        foreach (var line in File.Exists(_file) ? File.ReadAllLines(_file) : [])
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && Guid.TryParse(parts[0], out var session)
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes) && minutes > 0)
            {
                _limits[session] = TimeSpan.FromMinutes(minutes);
            }
        }
    }

    public TimeSpan Of(Guid sessionId, TimeSpan fallback) => _limits.GetValueOrDefault(sessionId, fallback);

    public void Set(Guid sessionId, TimeSpan idle)
    {
        _limits[sessionId] = idle;
        Save();
    }

    public void Remove(Guid sessionId)
    {
        if (_limits.TryRemove(sessionId, out _))
        {
            Save();
        }
    }

    /// <summary>Forgets the limits of sessions this executor no longer holds (after adopting its containers).</summary>
    public void KeepOnly(IReadOnlyCollection<Guid> held)
    {
        var gone = _limits.Keys.Except(held).ToList();
        foreach (var sessionId in gone)
        {
            _limits.TryRemove(sessionId, out _);
        }

        if (gone.Count > 0)
        {
            Save();
        }
    }

    // Written whole to a temporary file and renamed over the old one: a crash mid-write leaves the old file.
    private void Save()
    {
        lock (_writing)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
            var temporary = _file + ".new";
            File.WriteAllLines(temporary, _limits.Select(limit => string.Create(CultureInfo.InvariantCulture, $"{limit.Key} {limit.Value.TotalMinutes}")));
            File.Move(temporary, _file, overwrite: true);
        }
    }
}
