namespace Berth.Contracts;

/// <summary>One call of the shell tool, as the model made it.</summary>
public sealed record ShellCallSpec
{
    public required string CallId { get; init; }
    public required IReadOnlyList<string> Commands { get; init; }
    public int? TimeoutMs { get; init; }
    public int? MaxOutputLength { get; init; }
}
