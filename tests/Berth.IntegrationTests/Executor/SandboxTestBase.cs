using Berth.IntegrationTests.Fixtures;

namespace Berth.IntegrationTests.Executor;

/// <summary>
/// Tests that drive the executor's sandbox on the real Docker engine, under an executor name of
/// their own: skipped, saying why, without Docker or the sandbox image, and every container and
/// network made under that name removed afterwards.
/// </summary>
public abstract class SandboxTestBase(DockerFixture docker, string name) : IAsyncLifetime
{
    protected DockerFixture Docker { get; } = docker;

    protected string ExecutorId { get; } = $"test-{name}-{Guid.NewGuid().ToString("N")[..8]}";

    public virtual ValueTask InitializeAsync()
    {
        Assert.SkipWhen(Docker.UnavailableReason is not null, Docker.UnavailableReason ?? "");
        return ValueTask.CompletedTask;
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (Docker.UnavailableReason is null)
        {
            await Docker.RemoveContainersOfAsync(ExecutorId);
            await Docker.RemoveNetworksOfAsync(ExecutorId);
        }

        GC.SuppressFinalize(this);
    }
}
