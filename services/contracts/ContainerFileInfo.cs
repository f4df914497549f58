namespace Berth.Contracts;

/// <summary>A file in a container: its path relative to <c>/mnt/data</c>, size, time, and who put it there (<c>user</c> or <c>assistant</c>).</summary>
public sealed record ContainerFileInfo
{
    public required string Path { get; init; }
    public long Bytes { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string Source { get; init; } = "assistant";
    public byte[]? Content { get; init; }

    /// <summary>Where a content too large to travel inline waits in the shared payload store; the asker deletes it once read.</summary>
    public Uri? ContentAddress { get; init; }
}
