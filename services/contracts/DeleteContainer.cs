namespace Berth.Contracts;

/// <summary>Request to delete a container and its files. Answered with <see cref="ContainerSnapshot"/> or <see cref="ContainerNotFound"/>.</summary>
public sealed record DeleteContainer(string ContainerId);
