using System.Collections.Concurrent;
using Berth.Contracts;

namespace Berth.Planner.Containers;

/// <summary>The embedded container store: in this planner process only, like <see cref="Responses.InMemoryResponseStore"/>.</summary>
internal sealed class InMemoryContainerStore : IContainerStore
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

    public Task<IReadOnlyList<ContainerSnapshot>> ListAsync(string tenant, int limit, string? after, bool oldestFirst, CancellationToken cancellationToken)
    {
        var owned = _containers.Values.Where(c => Tenants.Tenancy.Owns(c.Tenant, tenant));
        var ordered = oldestFirst
            ? owned.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id, StringComparer.Ordinal)
            : owned.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id, StringComparer.Ordinal);
        IEnumerable<ContainerSnapshot> page = ordered;
        if (after is not null)
        {
            page = ordered.SkipWhile(c => c.Id != after).Skip(1);
        }

        return Task.FromResult<IReadOnlyList<ContainerSnapshot>>([.. page.Take(limit)]);
    }

    public Task<IReadOnlySet<Guid>> RunningSessionsAsync(string tenant, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<Guid>>(_containers.Values.Where(c => c.Status == ContainerStatuses.Running && Tenants.Tenancy.Owns(c.Tenant, tenant)).Select(c => c.SessionId).ToHashSet());

    public Task SetStatusAsync(string containerId, string status, CancellationToken cancellationToken) =>
        ChangeAsync(containerId, c => c with { Status = status });

    public async Task ForgetExecutorAsync(string executorId, CancellationToken cancellationToken)
    {
        foreach (var container in _containers.Values.Where(c => c.ExecutorId == executorId && c.Status == ContainerStatuses.Running))
        {
            await (container.Auto ? DeleteAsync(container.Id, cancellationToken) : SetStatusAsync(container.Id, ContainerStatuses.Expired, cancellationToken));
        }
    }

    public Task TouchAsync(string containerId, DateTimeOffset at, CancellationToken cancellationToken) =>
        ChangeAsync(containerId, c => c with { LastActiveAt = at > c.LastActiveAt ? at : c.LastActiveAt });

    public Task DeleteAsync(string containerId, CancellationToken cancellationToken)
    {
        _containers.TryRemove(containerId, out _);
        return Task.CompletedTask;
    }

    private Task ChangeAsync(string containerId, Func<ContainerSnapshot, ContainerSnapshot> change)
    {
        while (_containers.TryGetValue(containerId, out var current) && !_containers.TryUpdate(containerId, change(current), current))
        {
        }

        return Task.CompletedTask;
    }
}
