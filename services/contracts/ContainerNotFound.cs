namespace Berth.Contracts;

public sealed record ContainerNotFound(string ContainerId);
