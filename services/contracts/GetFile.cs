namespace Berth.Contracts;

/// <summary>Request for one uploaded file. Answered with <see cref="FileSnapshot"/> or <see cref="FileNotFound"/>.</summary>
public sealed record GetFile(string FileId)
{
    /// <summary>The tenant asking, from its API key. Another tenant's file is answered as not found.</summary>
    public string? Tenant { get; init; }
}
