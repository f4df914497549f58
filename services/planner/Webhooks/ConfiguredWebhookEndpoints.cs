using Microsoft.Extensions.Options;

namespace Berth.Planner.Webhooks;

/// <summary>
/// Makes the store's configured receivers exactly those of the configuration at start-up: each
/// configured one is added (or replaced), and one that was configured before but is no longer
/// is removed, since it hears every tenant's events and no API can delete it.
/// </summary>
internal sealed class ConfiguredWebhookEndpoints(IWebhookStore store, IOptions<WebhookOptions> options, TimeProvider time) : IHostedService
{
    public const string IdPrefix = "we_configured_";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var index = 0;
        var configuredIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var configured in options.Value.Endpoints)
        {
            if (WebhookEndpointConsumers.Problem(configured.Url, configured.Events, options.Value) is { } problem)
            {
                throw new InvalidOperationException($"Webhooks:Endpoints:{index}: {problem.Message}");
            }

            if (!WebhookSigner.IsValidSecret(configured.Secret))
            {
                throw new InvalidOperationException($"Webhooks:Endpoints:{index}:Secret must be 'whsec_' followed by base64.");
            }

            var id = $"{IdPrefix}{index++}";
            configuredIds.Add(id);
            await store.AddAsync(new Contracts.WebhookEndpointSnapshot
            {
                Id = id,
                Url = configured.Url,
                Events = configured.Events,
                Secret = configured.Secret,
                CreatedAt = time.GetUtcNow(),
                Tenant = configured.Tenant,
            }, cancellationToken);
        }

        foreach (var stale in (await store.AllAsync(cancellationToken)).Where(e => e.Id.StartsWith(IdPrefix, StringComparison.Ordinal) && !configuredIds.Contains(e.Id)))
        {
            await store.RemoveAsync(stale.Id, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
