namespace Berth.Contracts;

public sealed record FileList(IReadOnlyList<FileSnapshot> Files, bool HasMore);
