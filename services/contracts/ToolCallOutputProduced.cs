namespace Berth.Contracts;

/// <summary>
/// Output a running shell call printed since its previous chunk, sent while it runs so a stream
/// can show it. Chunks are numbered from 0 per call; the final, capped output still comes in
/// <see cref="ToolCallCompleted"/>, which is what the response keeps.
/// </summary>
public sealed record ToolCallOutputProduced
{
    public required Guid SessionId { get; init; }
    public required string ResponseId { get; init; }
    public required string CallId { get; init; }
    public required int Chunk { get; init; }
    public required int CommandIndex { get; init; }
    public string Stdout { get; init; } = "";
    public string Stderr { get; init; } = "";
}
