namespace Berth.Contracts;

/// <summary>One file of a session's container, with its content when asked. Answered with <see cref="ContainerFileInfo"/> or <see cref="ContainerFileFailed"/>.</summary>
public sealed record GetContainerFile
{
    public required Guid SessionId { get; init; }
    public required string Path { get; init; }
    public bool IncludeContent { get; init; }
}
