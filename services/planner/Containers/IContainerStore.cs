using System.Collections.Concurrent;
using Berth.Contracts;

namespace Berth.Planner.Containers;

/// <summary>
/// The tenants' containers, made by <c>POST /v1/containers</c> or for a session's first call, and
/// which session and executor each belongs to.
/// </summary>
internal interface IContainerStore
{
    Task AddAsync(ContainerSnapshot container, CancellationToken cancellationToken);

    Task<ContainerSnapshot?> FindAsync(string containerId, CancellationToken cancellationToken);

    Task<ContainerSnapshot?> FindBySessionAsync(Guid sessionId, CancellationToken cancellationToken);

    /// <summary>
    /// A page of the tenant's containers, newest first (by creation, then id) unless
    /// <paramref name="oldestFirst"/>, starting after the container <paramref name="after"/>;
    /// empty when that is not one of the tenant's.
    /// </summary>
    Task<IReadOnlyList<ContainerSnapshot>> ListAsync(string tenant, int limit, string? after, bool oldestFirst, CancellationToken cancellationToken);

    /// <summary>The sessions of the tenant's running containers.</summary>
    Task<IReadOnlySet<Guid>> RunningSessionsAsync(string tenant, CancellationToken cancellationToken);

    Task SetStatusAsync(string containerId, string status, CancellationToken cancellationToken);

    /// <summary>The executor is gone, and its containers with it: a session's own record goes, one made by <c>POST /v1/containers</c> reads expired.</summary>
    Task ForgetExecutorAsync(string executorId, CancellationToken cancellationToken);

    Task TouchAsync(string containerId, DateTimeOffset at, CancellationToken cancellationToken);

    Task DeleteAsync(string containerId, CancellationToken cancellationToken);
}
