namespace Berth.Bench;

/// <summary>How much to measure: the full run for the README, or a short one that only proves the benchmark still works.</summary>
public sealed record BenchOptions(int Commands, int ColdStarts, string Image, bool Quick, string? Only = null)
{
    public const string Sandbox = "sandbox";
    public const string Snapshots = "snapshots";
    public const string Pipeline = "pipeline";
    public const string Neighbour = "neighbour";
    public const string SlowModel = "slow-model";
    public const string Context = "context";

    /// <summary>Only the pipeline's throughput rounds, for profiling them.</summary>
    public const string Throughput = "throughput";

    /// <summary><c>--short</c> for a quick run; <c>--only sandbox</c>, <c>snapshots</c>, <c>pipeline</c>, <c>neighbour</c>, <c>slow-model</c>, <c>throughput</c> or <c>context</c> for one part of the table.</summary>
    public static BenchOptions Parse(string[] args)
    {
        var isShort = args.Contains("--short");
        var at = Array.IndexOf(args, "--only");
        var only = at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        if (at >= 0 && only is not (Sandbox or Snapshots or Pipeline or Neighbour or SlowModel or Throughput or Context))
        {
            throw new ArgumentException($"--only takes '{Sandbox}', '{Snapshots}', '{Pipeline}', '{Neighbour}', '{SlowModel}', '{Throughput}' or '{Context}'.");
        }

        var image = Environment.GetEnvironmentVariable("BERTH_SANDBOX_IMAGE") ?? "berth-sandbox:latest";
        return isShort ? new BenchOptions(20, 3, image, true, only) : new BenchOptions(1000, 20, image, false, only);
    }

    public bool Runs(string section) => Only is null || Only == section || (section == Pipeline && Only == Throughput);

    public bool OnlyThroughput => Only == Throughput;
}
