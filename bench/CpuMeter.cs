using System.Diagnostics;

namespace Berth.Bench;

/// <summary>
/// CPU time by process over a timed round: Berth's services, and what they lean on (RabbitMQ,
/// Docker's daemons and the containers' shims, the scripted model), read from /proc through
/// <see cref="Process.TotalProcessorTime"/>. Processes that come and go during the round (a
/// container's shim) count from when they are first seen.
/// </summary>
public sealed class CpuMeter
{
    private readonly Func<IReadOnlyDictionary<string, TimeSpan>> _read;
    private readonly IReadOnlyDictionary<string, TimeSpan> _before;

    private CpuMeter(Func<IReadOnlyDictionary<string, TimeSpan>> read)
    {
        _read = read;
        _before = read();
    }

    public static readonly string[] Columns = ["api", "planner", "executors", "scripted model", "RabbitMQ", "Docker"];

    public static CpuMeter Start(LocalServices stack, IReadOnlyList<ServiceProcess> executors) => new(() => new Dictionary<string, TimeSpan>
    {
        ["api"] = stack.Api.CpuTime(),
        ["planner"] = stack.Planner.CpuTime(),
        ["executors"] = executors.Aggregate(TimeSpan.Zero, (sum, e) => sum + e.CpuTime()),
        ["scripted model"] = stack.Model.CpuTime(),
        ["RabbitMQ"] = ByName("beam.smp"),
        ["Docker"] = ByName("dockerd") + ByName("containerd") + ByName("containerd-shim-runc-v2") + ByName("containerd-shim"),
    });

    /// <summary>CPU milliseconds per unit of work (a tool call) since the meter started, by process.</summary>
    public IReadOnlyDictionary<string, double> PerUnit(int units)
    {
        var after = _read();
        return Columns.ToDictionary(name => name, name => Math.Max(0, (after[name] - _before[name]).TotalMilliseconds) / units);
    }

    private static TimeSpan ByName(string name)
    {
        var total = TimeSpan.Zero;
        foreach (var process in Process.GetProcessesByName(name))
        {
            using (process)
            {
                try
                {
                    total += process.TotalProcessorTime;
                }
                catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // Gone while being read.
                }
            }
        }

        return total;
    }
}
