namespace Berth.Contracts;

/// <summary>Forget an uploaded file and delete its bytes. Answered with the <see cref="FileSnapshot"/> deleted, or <see cref="FileNotFound"/>.</summary>
public sealed record DeleteFile(string FileId)
{
    public string? Tenant { get; init; }
}
