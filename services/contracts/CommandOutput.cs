namespace Berth.Contracts;

/// <summary>What one command printed and how it ended: an exit code, or a timeout (null exit code).</summary>
public sealed record CommandOutput
{
    public string Stdout { get; init; } = "";
    public string Stderr { get; init; } = "";
    public int? ExitCode { get; init; }
    public bool TimedOut { get; init; }
}
