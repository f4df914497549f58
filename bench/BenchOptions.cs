namespace Berth.Bench;

/// <summary>How much to measure: the full run for the README, or a short one that only proves the benchmark still works.</summary>
public sealed record BenchOptions(int Commands, int ColdStarts, string Image, bool Quick)
{
    public static BenchOptions Parse(string[] args)
    {
        var isShort = args.Contains("--short");
        var image = Environment.GetEnvironmentVariable("BERTH_SANDBOX_IMAGE") ?? "berth-sandbox:latest";
        return isShort ? new BenchOptions(20, 3, image, true) : new BenchOptions(1000, 20, image, false);
    }
}
