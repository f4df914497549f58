namespace Berth.Contracts;

/// <summary>The files under <c>/mnt/data</c> of a session's container. Answered with <see cref="ContainerFileList"/> or <see cref="ContainerFileFailed"/>.</summary>
public sealed record ListContainerFiles(Guid SessionId);
