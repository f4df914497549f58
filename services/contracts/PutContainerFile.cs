namespace Berth.Contracts;

/// <summary>Write a file into a session's container, under <c>/mnt/data</c>. Answered with <see cref="ContainerFileInfo"/> or <see cref="ContainerFileFailed"/>.</summary>
public sealed record PutContainerFile
{
    public required Guid SessionId { get; init; }
    /// <summary>Relative to <c>/mnt/data</c>.</summary>
    public required string Path { get; init; }
    public required byte[] Content { get; init; }
}
