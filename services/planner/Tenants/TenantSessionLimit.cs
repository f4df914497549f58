using System.Collections.Concurrent;
using System.Globalization;
using Berth.Planner.Responses;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Tenants;

/// <summary>
/// How many sessions one tenant may run at once (<see cref="PlannerOptions.MaxConcurrentSessionsPerTenant"/>,
/// or the tenant's own, <c>Tenants:&lt;tenant&gt;:MaxSessions</c> (see <see cref="TenantOptions"/>); 0 is no limit). A session runs while one of its responses is queued or in progress. A
/// response that continues a running session is always let in: it queues behind the one there.
/// The check and the write happen under one lock per tenant, so within a planner the limit is
/// exact; with several planners, racing submissions can each pass once (at most one per
/// planner over the limit).
/// </summary>
public sealed class TenantSessionLimit(IResponseStore store, IOptions<PlannerOptions> options, IOptions<TenantOptions> tenants)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="admit"/> if the session may run; otherwise returns why not.</summary>
    public async Task<string?> AdmitAsync(string tenant, Guid sessionId, Func<Task> admit, CancellationToken cancellationToken)
    {
        var max = tenants.Value.SessionLimitOf(tenant, options.Value);
        if (max == 0)
        {
            await admit();
            return null;
        }

        var gate = _gates.GetOrAdd(tenant, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var running = await store.ActiveSessionsAsync(tenant, cancellationToken);
            if (!running.Contains(sessionId) && running.Count >= max)
            {
                return string.Format(CultureInfo.InvariantCulture,
                    "Too many sessions at once: your tenant has {0} running, and the limit is {1}. Wait for one to finish, or continue one with previous_response_id.",
                    running.Count, max);
            }

            await admit();
            return null;
        }
        finally
        {
            gate.Release();
        }
    }
}
