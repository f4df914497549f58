namespace Berth.Contracts;

/// <summary>A snapshot of a container's workspace (<c>/mnt/data</c>): what the api renders as a <c>container.snapshot</c>.</summary>
public sealed record WorkspaceSnapshotInfo
{
    /// <summary><c>snap_…</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The container it was taken of.</summary>
    public required string ContainerId { get; init; }

    /// <summary>The size of its archive.</summary>
    public long Bytes { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The tenant whose container it was taken of.</summary>
    public string? Tenant { get; init; }

    /// <summary>Where its archive is in the shared payload store; never shown to clients.</summary>
    public required Uri Address { get; init; }

    /// <summary>Where the container's skills were archived with it (a workspace kept at expiry); never shown to clients.</summary>
    public Uri? Skills { get; init; }
}
