namespace Berth.Contracts;

/// <summary>
/// A file uploaded through <c>/v1/files</c>: what the planner keeps of it. Its bytes are never in
/// a message or a record: they wait in the shared payload store, at <see cref="ContentAddress"/>.
/// </summary>
public sealed record FileSnapshot
{
    /// <summary><c>file-</c> and 32 hex digits.</summary>
    public required string Id { get; init; }

    public required string Filename { get; init; }

    /// <summary>One of <see cref="FilePurposes.Accepted"/>.</summary>
    public required string Purpose { get; init; }

    public long Bytes { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the file is deleted on its own (<c>expires_after</c>); null to keep it until deleted.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The tenant whose API key uploaded it; only that tenant sees it.</summary>
    public string? Tenant { get; init; }

    public required Uri ContentAddress { get; init; }
}
