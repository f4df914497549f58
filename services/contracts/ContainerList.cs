namespace Berth.Contracts;

public sealed record ContainerList(IReadOnlyList<ContainerSnapshot> Containers);
