namespace Berth.Contracts;

/// <summary>Write a file into a session's container, under <c>/mnt/data</c>. Answered with <see cref="ContainerFileInfo"/> or <see cref="ContainerFileFailed"/>.</summary>
public sealed record PutContainerFile
{
    public required Guid SessionId { get; init; }
    /// <summary>Relative to <c>/mnt/data</c>.</summary>
    public required string Path { get; init; }
    /// <summary>The content, when it is small enough to travel inline; empty when <see cref="ContentAddress"/> is set.</summary>
    public required byte[] Content { get; init; }

    /// <summary>Where a larger content waits in the shared payload store; the sender deletes it once answered.</summary>
    public Uri? ContentAddress { get; init; }
}
