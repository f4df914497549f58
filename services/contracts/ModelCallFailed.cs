namespace Berth.Contracts;

/// <summary>The model could not be called, after the retries the client allows.</summary>
public sealed record ModelCallFailed
{
    public required Guid SessionId { get; init; }
    public required string ResponseId { get; init; }
    public required int Step { get; init; }
    public required string Code { get; init; }
    public required string Message { get; init; }
}
