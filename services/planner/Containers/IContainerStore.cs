using System.Collections.Concurrent;
using Berth.Contracts;

namespace Berth.Planner.Containers;

/// <summary>The containers made by <c>POST /v1/containers</c>, and which session and executor each belongs to.</summary>
public interface IContainerStore
{
    Task AddAsync(ContainerSnapshot container, CancellationToken cancellationToken);

    Task<ContainerSnapshot?> FindAsync(string containerId, CancellationToken cancellationToken);

    Task<ContainerSnapshot?> FindBySessionAsync(Guid sessionId, CancellationToken cancellationToken);

    /// <summary>The tenant's containers, newest first.</summary>
    Task<IReadOnlyList<ContainerSnapshot>> ListAsync(string tenant, int limit, CancellationToken cancellationToken);

    Task SetStatusAsync(string containerId, string status, CancellationToken cancellationToken);

    Task TouchAsync(string containerId, DateTimeOffset at, CancellationToken cancellationToken);

    Task DeleteAsync(string containerId, CancellationToken cancellationToken);
}

/// <summary>The embedded container store: in this planner process only, like <see cref="Responses.InMemoryResponseStore"/>.</summary>
public sealed class InMemoryContainerStore : IContainerStore
{
    private readonly ConcurrentDictionary<string, ContainerSnapshot> _containers = new(StringComparer.Ordinal);

    public Task AddAsync(ContainerSnapshot container, CancellationToken cancellationToken)
    {
        _containers[container.Id] = container;
        return Task.CompletedTask;
    }

    public Task<ContainerSnapshot?> FindAsync(string containerId, CancellationToken cancellationToken) =>
        Task.FromResult(_containers.GetValueOrDefault(containerId));

    public Task<ContainerSnapshot?> FindBySessionAsync(Guid sessionId, CancellationToken cancellationToken) =>
        Task.FromResult(_containers.Values.FirstOrDefault(c => c.SessionId == sessionId));

    public Task<IReadOnlyList<ContainerSnapshot>> ListAsync(string tenant, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ContainerSnapshot>>([.. _containers.Values.Where(c => Tenants.Tenancy.Owns(c.Tenant, tenant)).OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Take(limit)]);

    public Task SetStatusAsync(string containerId, string status, CancellationToken cancellationToken) =>
        Change(containerId, c => c with { Status = status });

    public Task TouchAsync(string containerId, DateTimeOffset at, CancellationToken cancellationToken) =>
        Change(containerId, c => c with { LastActiveAt = at > c.LastActiveAt ? at : c.LastActiveAt });

    public Task DeleteAsync(string containerId, CancellationToken cancellationToken)
    {
        _containers.TryRemove(containerId, out _);
        return Task.CompletedTask;
    }

    private Task Change(string containerId, Func<ContainerSnapshot, ContainerSnapshot> change)
    {
        while (_containers.TryGetValue(containerId, out var current) && !_containers.TryUpdate(containerId, change(current), current))
        {
        }

        return Task.CompletedTask;
    }
}
