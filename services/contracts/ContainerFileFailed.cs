namespace Berth.Contracts;

/// <summary>A file operation that could not be done: <c>not_found</c>, <c>invalid_path</c>, <c>too_large</c> or <c>container_gone</c>.</summary>
public sealed record ContainerFileFailed(string Code, string Message);
