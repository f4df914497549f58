namespace Berth.Contracts;

/// <summary>Request for one container. Answered with <see cref="ContainerSnapshot"/> or <see cref="ContainerNotFound"/>.</summary>
public sealed record GetContainer(string ContainerId);
