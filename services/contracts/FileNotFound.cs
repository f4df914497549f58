namespace Berth.Contracts;

public sealed record FileNotFound(string FileId);
