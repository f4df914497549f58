using System.Collections.Concurrent;
using Berth.Contracts;

namespace Berth.Planner.Webhooks;

/// <summary>
/// Webhook endpoints (with their secrets) and the log of delivery attempts. In this planner
/// process: like the in-memory response store, right for one planner.
/// </summary>
public sealed class WebhookStore
{
    private const int AttemptsKept = 500;
    private readonly ConcurrentDictionary<string, WebhookEndpointSnapshot> _endpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<WebhookDeliveryAttempt>> _attempts = new(StringComparer.Ordinal);

    public void Add(WebhookEndpointSnapshot endpoint) => _endpoints[endpoint.Id] = endpoint;

    public WebhookEndpointSnapshot? Find(string endpointId) => _endpoints.GetValueOrDefault(endpointId);

    public IReadOnlyList<WebhookEndpointSnapshot> All() => [.. _endpoints.Values.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id, StringComparer.Ordinal)];

    public bool Remove(string endpointId) => _endpoints.TryRemove(endpointId, out _);

    public void Record(string endpointId, WebhookDeliveryAttempt attempt)
    {
        var log = _attempts.GetOrAdd(endpointId, _ => new ConcurrentQueue<WebhookDeliveryAttempt>());
        log.Enqueue(attempt);
        while (log.Count > AttemptsKept && log.TryDequeue(out _))
        {
        }
    }

    public IReadOnlyList<WebhookDeliveryAttempt> Attempts(string endpointId) =>
        _attempts.TryGetValue(endpointId, out var log) ? [.. log.Reverse()] : [];
}
