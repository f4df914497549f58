using System.Globalization;
using System.Text;

namespace Berth.Bench;

/// <summary>A set of timings, summarised as percentiles.</summary>
public sealed class Timings(string name)
{
    private readonly List<double> _milliseconds = [];

    public string Name => name;

    public int Count => _milliseconds.Count;

    public void Add(TimeSpan elapsed) => _milliseconds.Add(elapsed.TotalMilliseconds);

    public double Percentile(double p)
    {
        var sorted = _milliseconds.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}

/// <summary>The benchmark's one table.</summary>
public sealed class Table
{
    private readonly List<(string Section, Timings Timings)> _rows = [];
    private readonly List<ThroughputRow> _throughput = [];
    private readonly List<SlowModelRow> _slowModel = [];
    private readonly List<IntakeRow> _intake = [];
    private readonly List<string> _notes = [];

    public void Add(string section, Timings timings) => _rows.Add((section, timings));

    public void Add(ThroughputRow row) => _throughput.Add(row);

    public void Add(SlowModelRow row) => _slowModel.Add(row);

    public void Add(IntakeRow row) => _intake.Add(row);

    /// <summary>A line under the tables, for what a figure rests on.</summary>
    public void Note(string note) => _notes.Add(note);

    public string Render(BenchOptions options)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Berth benchmark{(options.Quick ? " (short run: too few samples to quote)" : "")}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine(CultureInfo.InvariantCulture, $"machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024 * 1024.0):0.#} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, image {options.Image}");
        if (_rows.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| measurement | n | p50 ms | p95 ms | p99 ms |");
            text.AppendLine("|---|---:|---:|---:|---:|");
            foreach (var (section, timings) in _rows)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {section}: {timings.Name} | {timings.Count} | {timings.Percentile(50):0.0} | {timings.Percentile(95):0.0} | {timings.Percentile(99):0.0} |");
            }
        }

        if (_throughput.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| executors | sessions at once | tool calls | seconds | tool calls/s | api peak MiB | planner peak MiB | executor peak MiB (largest) | executor idle CPU ms/s (each) | executor CPU s to start and warm up (each) |");
            text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var row in _throughput)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {row.Executors} | {row.Sessions} | {row.ToolCalls} | {row.Elapsed.TotalSeconds:0.0} | {row.PerSecond:0.0} | {row.ApiMb:0} | {row.PlannerMb:0} | {row.ExecutorMb:0} | {row.ExecutorIdleMsPerSecond:0.0} | {row.ExecutorWarmUpSeconds:0.0} |");
            }

            text.AppendLine();
            text.AppendLine($"| CPU ms per tool call: executors | tool calls | {string.Join(" | ", CpuMeter.Columns)} | total |");
            text.AppendLine($"|---:|---:|{string.Concat(Enumerable.Repeat("---:|", CpuMeter.Columns.Length + 1))}");
            foreach (var row in _throughput)
            {
                var figures = CpuMeter.Columns.Select(column => row.CpuMsPerCall[column]).ToList();
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {row.Executors} | {row.ToolCalls} | {string.Join(" | ", figures.Select(f => f.ToString("0.00", CultureInfo.InvariantCulture)))} | {figures.Sum():0.00} |");
            }
        }

        if (_slowModel.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| sessions on a slow model: sessions at once | think ms | submit s | creates/s | ideal s | wall s | efficiency | planner peak MiB |");
            text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var row in _slowModel)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {row.Sessions} | {row.ThinkMs} | {row.Submit.TotalSeconds:0.00} | {row.CreatesPerSecond:0} | {row.IdealSeconds:0.0} | {row.Wall.TotalSeconds:0.00} | {row.Efficiency:0.00} | {row.PlannerMb:0} |");
            }

            text.AppendLine();
            text.AppendLine($"| CPU ms per background create (intake): sessions | {string.Join(" | ", SlowModelRow.IntakeColumns)} | total | cores busy |");
            text.AppendLine($"|---:|{string.Concat(Enumerable.Repeat("---:|", SlowModelRow.IntakeColumns.Length + 2))}");
            foreach (var row in _slowModel)
            {
                var figures = SlowModelRow.IntakeColumns.Select(column => row.IntakeCpuMs[column]).ToList();
                var busy = figures.Sum() * row.Sessions / row.Submit.TotalMilliseconds;
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {row.Sessions} | {string.Join(" | ", figures.Select(f => f.ToString("0.00", CultureInfo.InvariantCulture)))} | {figures.Sum():0.00} | {busy:0.00} |");
            }
        }

        if (_intake.Count > 0)
        {
            text.AppendLine();
            text.AppendLine($"| intake (nothing finishes meanwhile): creates at once | submit s | creates/s | CPU ms per create: {string.Join(" | ", SlowModelRow.IntakeColumns)} | total |");
            text.AppendLine($"|---:|---:|---:|{string.Concat(Enumerable.Repeat("---:|", SlowModelRow.IntakeColumns.Length + 1))}");
            foreach (var row in _intake)
            {
                var figures = SlowModelRow.IntakeColumns.Select(column => row.CpuMs[column]).ToList();
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {row.Sessions} | {row.Submit.TotalSeconds:0.00} | {row.CreatesPerSecond:0} | {string.Join(" | ", figures.Select(f => f.ToString("0.00", CultureInfo.InvariantCulture)))} | {figures.Sum():0.00} |");
            }
        }

        if (_notes.Count > 0)
        {
            text.AppendLine();
            foreach (var note in _notes)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
            }
        }

        return text.ToString();
    }
}
