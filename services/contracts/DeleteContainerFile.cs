namespace Berth.Contracts;

/// <summary>Remove one file from a session's container. Answered with <see cref="ContainerFileInfo"/> or <see cref="ContainerFileFailed"/>.</summary>
public sealed record DeleteContainerFile
{
    public required Guid SessionId { get; init; }
    public required string Path { get; init; }
}
