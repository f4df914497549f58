using Berth.Contracts;

namespace Berth.Planner.Files;

/// <summary>The records of uploaded files (<c>/v1/files</c>); their bytes are in the payload store.</summary>
internal interface IFileStore
{
    Task AddAsync(FileSnapshot file, CancellationToken cancellationToken);

    Task<FileSnapshot?> FindAsync(string fileId, CancellationToken cancellationToken);

    /// <summary>
    /// The tenant's files by creation time (then id), newest first unless <paramref name="oldestFirst"/>,
    /// from after <paramref name="after"/>, at most <paramref name="limit"/>. Files expired at
    /// <paramref name="now"/> are left out.
    /// </summary>
    Task<IReadOnlyList<FileSnapshot>> ListAsync(string tenant, string? purpose, FileSnapshot? after, int limit, bool oldestFirst, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Removes the record; the one removed, or null if there was none.</summary>
    Task<FileSnapshot?> RemoveAsync(string fileId, CancellationToken cancellationToken);

    /// <summary>Files whose expiry is at or before <paramref name="now"/>, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<FileSnapshot>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);
}
