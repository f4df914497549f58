using Berth.Contracts;
using Berth.Executor.Identity;
using Berth.Executor.Sandbox;
using Docker.DotNet;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Executor;

/// <summary>Makes a session's container ahead of its first call, for <c>POST /v1/containers</c>.</summary>
internal sealed partial class ProvisionContainerConsumer(DockerSandbox sandbox, IOptions<ExecutorOptions> options, ILogger<ProvisionContainerConsumer> logger,
    ExecutorIdentity? identity = null, NewContainerSetup? setup = null)
    : IConsumer<ProvisionContainer>
{
    public async Task Consume(ConsumeContext<ProvisionContainer> context)
    {
        var request = context.Message;
        var executorId = options.Value.InstanceId;
        try
        {
            var containerId = await sandbox.EnsureContainerAsync(request.SessionId, null, context.CancellationToken, request.MemoryMb, request.NetworkPolicy, request.Image,
                request.IdleMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : null);

            if (setup is not null)
            {
                await setup.ApplyAsync(request.SessionId, containerId, [], request.Skills, request.RestoreFrom, restoreSkillsFrom: null, context.CancellationToken);
            }

            await context.RespondAsync(new ContainerProvisioned { SessionId = request.SessionId, ExecutorId = executorId, ContainerId = containerId });
        }
        catch (ContainerHeldElsewhereException e)
        {
            // Asked again, and another executor on this engine made it the first time: the
            // answer is that executor's to give, while it is there to give it.
            if (await HandOn.TryAsync(context, identity, e.ExecutorId))
            {
                return;
            }

            await context.RespondAsync(new ContainerProvisioned { SessionId = request.SessionId, ExecutorId = executorId, Error = e.Message + " It is gone for good." });
        }
        catch (FileOperationException e)
        {
            // A container without the skills or files it was asked for is no container the client asked for.
            await sandbox.RemoveSessionAsync(request.SessionId, CancellationToken.None);
            await context.RespondAsync(new ContainerProvisioned { SessionId = request.SessionId, ExecutorId = executorId, Error = e.Message });
        }
        catch (Exception e) when (e is PoolFullException or EgressUnavailableException)
        {
            await context.RespondAsync(new ContainerProvisioned { SessionId = request.SessionId, ExecutorId = executorId, Error = e.Message });
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException)
        {
            LogNotMade(request.SessionId, e);
            await context.RespondAsync(new ContainerProvisioned { SessionId = request.SessionId, ExecutorId = executorId, Error = SandboxErrors.Describe(e) });
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: the container could not be made")]
    private partial void LogNotMade(Guid sessionId, Exception exception);
}
