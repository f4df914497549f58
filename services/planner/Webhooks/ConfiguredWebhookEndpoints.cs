using Microsoft.Extensions.Options;

namespace Berth.Planner.Webhooks;

/// <summary>Loads the receivers configured at start-up into the store.</summary>
public sealed class ConfiguredWebhookEndpoints(IWebhookStore store, IOptions<WebhookOptions> options, TimeProvider time) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var index = 0;
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

            await store.AddAsync(new Contracts.WebhookEndpointSnapshot
            {
                Id = $"we_configured_{index++}",
                Url = configured.Url,
                Events = configured.Events,
                Secret = configured.Secret,
                CreatedAt = time.GetUtcNow(),
                Tenant = configured.Tenant,
            }, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
