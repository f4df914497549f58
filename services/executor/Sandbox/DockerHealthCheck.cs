using Docker.DotNet;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Berth.Executor.Sandbox;

/// <summary>Ready only while the Docker engine answers a ping: without it the executor can run nothing.</summary>
internal sealed class DockerHealthCheck(DockerClient docker) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await docker.System.PingAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The Docker engine does not answer.", e);
        }
    }
}
