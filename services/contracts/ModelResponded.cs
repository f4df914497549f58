namespace Berth.Contracts;

/// <summary>The model answered one step: some shell calls, some text, or both.</summary>
public sealed record ModelResponded
{
    public required Guid SessionId { get; init; }
    public required string ResponseId { get; init; }
    public required int Step { get; init; }
    public string? Text { get; init; }
    public IReadOnlyList<ShellCallSpec> ShellCalls { get; init; } = [];
    public TokenUsage Usage { get; init; } = new(0, 0);
}
