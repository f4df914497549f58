namespace Berth.Contracts;

/// <summary>A page of the tenant's files, by creation time. Answered with <see cref="FileList"/>.</summary>
public sealed record ListFiles
{
    public string? Tenant { get; init; }

    /// <summary>Only files with this purpose; null for all.</summary>
    public string? Purpose { get; init; }

    public int Limit { get; init; } = 20;

    /// <summary>The page starts after this file; one not found gives an empty page.</summary>
    public string? After { get; init; }

    public bool OldestFirst { get; init; }
}
