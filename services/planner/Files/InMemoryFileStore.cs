using System.Collections.Concurrent;
using Berth.Contracts;
using Berth.Planner.Tenants;

namespace Berth.Planner.Files;

/// <summary>The embedded file store: in this planner process, like the in-memory response store.</summary>
internal sealed class InMemoryFileStore : IFileStore
{
    private readonly ConcurrentDictionary<string, FileSnapshot> _files = new(StringComparer.Ordinal);

    public Task AddAsync(FileSnapshot file, CancellationToken cancellationToken)
    {
        _files[file.Id] = file;
        return Task.CompletedTask;
    }

    public Task<FileSnapshot?> FindAsync(string fileId, CancellationToken cancellationToken) => Task.FromResult(_files.GetValueOrDefault(fileId));

    public Task<IReadOnlyList<FileSnapshot>> ListAsync(string tenant, string? purpose, FileSnapshot? after, int limit, bool oldestFirst, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var files = _files.Values.Where(f => Tenancy.Owns(f.Tenant, tenant) && (purpose is null || f.Purpose == purpose) && !(f.ExpiresAt <= now));
        var ordered = oldestFirst
            ? files.OrderBy(f => f.CreatedAt).ThenBy(f => f.Id, StringComparer.Ordinal)
            : files.OrderByDescending(f => f.CreatedAt).ThenByDescending(f => f.Id, StringComparer.Ordinal);
        var page = after is null ? ordered : ordered.Where(f => CreationOrder.IsAfter(f.CreatedAt, f.Id, after.CreatedAt, after.Id, oldestFirst));
        return Task.FromResult<IReadOnlyList<FileSnapshot>>([.. page.Take(limit)]);
    }

    public Task<FileSnapshot?> RemoveAsync(string fileId, CancellationToken cancellationToken) =>
        Task.FromResult(_files.TryRemove(fileId, out var removed) ? removed : null);

    public Task<IReadOnlyList<FileSnapshot>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<FileSnapshot>>([.. _files.Values.Where(f => f.ExpiresAt <= now).Take(limit)]);
}
