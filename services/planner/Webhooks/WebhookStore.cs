using System.Collections.Concurrent;
using Berth.Contracts;

namespace Berth.Planner.Webhooks;

/// <summary>Webhook endpoints (with their secrets) and the log of delivery attempts.</summary>
internal interface IWebhookStore
{
    Task AddAsync(WebhookEndpointSnapshot endpoint, CancellationToken cancellationToken);

    Task<WebhookEndpointSnapshot?> FindAsync(string endpointId, CancellationToken cancellationToken);

    /// <summary>Oldest first.</summary>
    Task<IReadOnlyList<WebhookEndpointSnapshot>> AllAsync(CancellationToken cancellationToken);

    Task<bool> RemoveAsync(string endpointId, CancellationToken cancellationToken);

    Task RecordAsync(string endpointId, WebhookDeliveryAttempt attempt, CancellationToken cancellationToken);

    /// <summary>Newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<WebhookDeliveryAttempt>> AttemptsAsync(string endpointId, int limit, CancellationToken cancellationToken);
}

/// <summary>The embedded webhook store: in this planner process, like the in-memory response store.</summary>
internal sealed class InMemoryWebhookStore : IWebhookStore
{
    private const int AttemptsKept = 500;
    private readonly ConcurrentDictionary<string, WebhookEndpointSnapshot> _endpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<WebhookDeliveryAttempt>> _attempts = new(StringComparer.Ordinal);

    public Task AddAsync(WebhookEndpointSnapshot endpoint, CancellationToken cancellationToken)
    {
        _endpoints[endpoint.Id] = endpoint;
        return Task.CompletedTask;
    }

    public Task<WebhookEndpointSnapshot?> FindAsync(string endpointId, CancellationToken cancellationToken) =>
        Task.FromResult(_endpoints.GetValueOrDefault(endpointId));

    public Task<IReadOnlyList<WebhookEndpointSnapshot>> AllAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<WebhookEndpointSnapshot>>([.. _endpoints.Values.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id, StringComparer.Ordinal)]);

    public Task<bool> RemoveAsync(string endpointId, CancellationToken cancellationToken) =>
        Task.FromResult(_endpoints.TryRemove(endpointId, out _));

    public Task RecordAsync(string endpointId, WebhookDeliveryAttempt attempt, CancellationToken cancellationToken)
    {
        var log = _attempts.GetOrAdd(endpointId, _ => new ConcurrentQueue<WebhookDeliveryAttempt>());
        log.Enqueue(attempt);
        while (log.Count > AttemptsKept && log.TryDequeue(out _))
        {
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<WebhookDeliveryAttempt>> AttemptsAsync(string endpointId, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<WebhookDeliveryAttempt>>(_attempts.TryGetValue(endpointId, out var log) ? [.. log.Reverse().Take(limit)] : []);
}
