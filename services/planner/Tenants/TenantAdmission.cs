using System.Collections.Concurrent;
using System.Globalization;
using Berth.Contracts;
using Berth.Planner.Containers;
using Berth.Planner.Responses;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Tenants;

/// <summary>A limit said no: the error code the client gets (answered 429) and why.</summary>
internal sealed record Refusal(string Code, string Message);

/// <summary>
/// Whether a tenant may start one more session or hold one more container.
/// <para>
/// Sessions: at most <see cref="PlannerOptions.MaxConcurrentSessionsPerTenant"/> (or the tenant's
/// <c>Tenants:&lt;tenant&gt;:MaxSessions</c>) run at once, a session running while one of its
/// responses is queued or in progress. A response that continues a running session is always let
/// in: it queues behind the one there.
/// </para>
/// <para>
/// Containers: at most <see cref="PlannerOptions.MaxContainersPerTenant"/> (or
/// <c>Tenants:&lt;tenant&gt;:MaxContainers</c>). A container counts from the moment it is
/// decided on: its record once made, a running session with a shell tool before its first call
/// makes one, a <c>POST /v1/containers</c> while the executor makes it. So a burst of new
/// sessions cannot pass the limit before any of their containers exists.
/// </para>
/// The checks and the writes that admit happen under one lock per tenant, so within a planner the
/// limits are exact; with several planners, racing requests can each pass once (at most one per
/// planner over a limit).
/// </summary>
internal sealed class TenantAdmission(IResponseStore responses, IContainerStore containers, IOptions<PlannerOptions> options, IOptions<TenantOptions> tenants)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, byte>> _beingMade = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs <paramref name="admit"/> (which stores the response) if the tenant may run the
    /// session and, when the session may make a container (a <c>container_auto</c> shell tool)
    /// and holds none yet, hold one more; otherwise returns why not.
    /// </summary>
    public async Task<Refusal?> AdmitResponseAsync(string tenant, Guid sessionId, bool makesContainer, Func<Task> admit, CancellationToken cancellationToken)
    {
        var maxSessions = tenants.Value.SessionLimitOf(tenant, options.Value);
        var maxContainers = makesContainer ? tenants.Value.ContainerLimitOf(tenant, options.Value) : 0;
        if (maxSessions == 0 && maxContainers == 0)
        {
            await admit();
            return null;
        }

        using (await OneAtATimeAsync(tenant, cancellationToken))
        {
            if (maxSessions > 0)
            {
                var running = await responses.ActiveSessionsAsync(tenant, cancellationToken);
                if (!running.Contains(sessionId) && running.Count >= maxSessions)
                {
                    return new Refusal(ErrorCodes.RateLimitExceeded, string.Format(CultureInfo.InvariantCulture,
                        "Too many sessions at once: your tenant has {0} running, and the limit is {1}. Wait for one to finish, or continue one with previous_response_id.",
                        running.Count, maxSessions));
                }
            }

            if (maxContainers > 0 && await HeldAsync(tenant, cancellationToken) is var held && !held.Contains(sessionId) && held.Count >= maxContainers)
            {
                return ContainerRefusal(held.Count, maxContainers);
            }

            await admit();
            return null;
        }
    }

    /// <summary>
    /// For <c>POST /v1/containers</c>: a place for the container, held until the returned
    /// reservation is disposed, once its record is stored (or it could not be made). Null with
    /// the refusal when the tenant holds as many as it may.
    /// </summary>
    public async Task<(IDisposable? Reservation, Refusal? Refusal)> ReserveContainerAsync(string tenant, Guid sessionId, CancellationToken cancellationToken)
    {
        var max = tenants.Value.ContainerLimitOf(tenant, options.Value);
        if (max == 0)
        {
            return (new Reservation(null, sessionId), null);
        }

        using (await OneAtATimeAsync(tenant, cancellationToken))
        {
            if (await HeldAsync(tenant, cancellationToken) is var held && held.Count >= max)
            {
                return (null, ContainerRefusal(held.Count, max));
            }

            var beingMade = _beingMade.GetOrAdd(tenant, _ => new ConcurrentDictionary<Guid, byte>());
            beingMade[sessionId] = 0;
            return (new Reservation(beingMade, sessionId), null);
        }
    }

    /// <summary>The tenant's lock, under which a limit is checked and what it admits is written.</summary>
    private async Task<IDisposable> OneAtATimeAsync(string tenant, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(tenant, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        return new Released(gate);
    }

    /// <summary>The sessions whose containers the tenant holds or has decided on; each counts once, whichever way it is seen.</summary>
    private async Task<HashSet<Guid>> HeldAsync(string tenant, CancellationToken cancellationToken)
    {
        var held = new HashSet<Guid>(await containers.RunningSessionsAsync(tenant, cancellationToken));
        held.UnionWith(await responses.ActiveShellSessionsAsync(tenant, cancellationToken));
        if (_beingMade.TryGetValue(tenant, out var beingMade))
        {
            held.UnionWith(beingMade.Keys);
        }

        return held;
    }

    private static Refusal ContainerRefusal(int held, int max) => new(ErrorCodes.ContainerLimitExceeded, string.Format(CultureInfo.InvariantCulture,
        "Too many containers: your tenant holds {0} (its sessions' own included), and the limit is {1}. Delete one with DELETE /v1/containers/{{id}}, continue a session with previous_response_id, or wait for one to expire.",
        held, max));

    private sealed class Released(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    private sealed class Reservation(ConcurrentDictionary<Guid, byte>? beingMade, Guid sessionId) : IDisposable
    {
        public void Dispose() => beingMade?.TryRemove(sessionId, out _);
    }
}
