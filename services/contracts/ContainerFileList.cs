namespace Berth.Contracts;

public sealed record ContainerFileList(IReadOnlyList<ContainerFileInfo> Files);
