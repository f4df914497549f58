using Berth.Contracts;
using Berth.Planner.Executors;
using Berth.Planner.Tenants;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Containers;

/// <summary>
/// <c>POST /v1/containers</c>: a new session whose container is made now, by whichever executor
/// of the pool takes the request, instead of on the session's first call.
/// </summary>
public sealed class CreateContainerConsumer(
    IContainerStore containers,
    IRequestClient<ProvisionContainer> pool,
    ExecutorRegistry executors,
    IOptions<PlannerOptions> options) : IConsumer<CreateContainer>
{
    public async Task Consume(ConsumeContext<CreateContainer> context)
    {
        var request = context.Message;
        var silence = TimeSpan.FromSeconds(options.Value.NoExecutorSeconds);
        if (!executors.AnyAlive(silence))
        {
            // Nothing would take the request: answered now, not after the pool's two-minute wait,
            // which would hold a slot of this shared endpoint all along.
            await context.RespondAsync(new TaskRejected
            {
                ResponseId = request.ContainerId,
                Code = ErrorCodes.NoExecutor,
                Message = $"No executor has been heard from for {options.Value.NoExecutorSeconds} s, so nothing can make the container. Start an executor and try again.",
            });
            return;
        }

        if (await containers.FindAsync(request.ContainerId, context.CancellationToken) is { } existing)
        {
            // A redelivered request. The api makes the ids, so another tenant's is not possible;
            // it is still never handed over.
            await (Tenancy.Owns(existing.Tenant, request.Tenant)
                ? context.RespondAsync(existing)
                : context.RespondAsync(new TaskRejected { ResponseId = request.ContainerId, Code = "container_unavailable", Message = "That container id is taken." }));
            return;
        }

        var sessionId = NewId.NextGuid();
        var provisioned = (await pool.GetResponse<ContainerProvisioned>(
            new ProvisionContainer { SessionId = sessionId, IdleMinutes = request.IdleMinutes, MemoryMb = request.MemoryMb, NetworkPolicy = request.NetworkPolicy },
            context.CancellationToken)).Message;
        if (provisioned.Error is not null)
        {
            await context.RespondAsync(new TaskRejected
            {
                ResponseId = request.ContainerId,
                Code = "container_unavailable",
                Message = $"No container could be made: {provisioned.Error}",
            });
            return;
        }

        var container = new ContainerSnapshot
        {
            Id = request.ContainerId,
            Name = request.Name,
            Status = "running",
            SessionId = sessionId,
            ExecutorId = provisioned.ExecutorId,
            DockerContainerId = provisioned.ContainerId,
            IdleMinutes = request.IdleMinutes,
            MemoryMb = request.MemoryMb,
            CreatedAt = request.CreatedAt,
            LastActiveAt = request.CreatedAt,
            Tenant = Tenancy.Of(request.Tenant),
            NetworkPolicy = request.NetworkPolicy,
        };
        await containers.AddAsync(container, context.CancellationToken);
        await context.RespondAsync(container);
    }
}

public sealed class ContainerQueriesConsumer(IContainerStore containers) : IConsumer<GetContainer>, IConsumer<ListContainers>
{
    public async Task Consume(ConsumeContext<GetContainer> context)
    {
        if (await containers.FindAsync(context.Message.ContainerId, context.CancellationToken) is { } container && Tenancy.Owns(container.Tenant, context.Message.Tenant))
        {
            await context.RespondAsync(container);
        }
        else
        {
            await context.RespondAsync(new ContainerNotFound(context.Message.ContainerId));
        }
    }

    public async Task Consume(ConsumeContext<ListContainers> context) =>
        await context.RespondAsync(new ContainerList(await containers.ListAsync(Tenancy.Of(context.Message.Tenant), context.Message.Limit, context.CancellationToken)));
}

/// <summary><c>DELETE /v1/containers/{id}</c>: the executor removes it; responses that refer to it afterwards get a clear error.</summary>
public sealed class DeleteContainerConsumer(IContainerStore containers) : IConsumer<DeleteContainer>
{
    public async Task Consume(ConsumeContext<DeleteContainer> context)
    {
        var container = await containers.FindAsync(context.Message.ContainerId, context.CancellationToken);
        if (container is null || !Tenancy.Owns(container.Tenant, context.Message.Tenant))
        {
            await context.RespondAsync(new ContainerNotFound(context.Message.ContainerId));
            return;
        }

        if (container.ExecutorId is not null)
        {
            await context.Send(Endpoints.Executor(container.ExecutorId), new RemoveContainer(container.SessionId));
        }

        await containers.DeleteAsync(container.Id, context.CancellationToken);
        await context.RespondAsync(container with { Status = "deleted" });
    }
}

/// <summary>An executor removed a container (idle expiry): the container object says so from then on.</summary>
public sealed class ContainerRemovedConsumer(IContainerStore containers) : IConsumer<ContainerRemoved>
{
    public async Task Consume(ConsumeContext<ContainerRemoved> context)
    {
        if (await containers.FindBySessionAsync(context.Message.SessionId, context.CancellationToken) is { } container)
        {
            await containers.SetStatusAsync(container.Id, context.Message.Reason == "expired" ? "expired" : "deleted", context.CancellationToken);
        }
    }
}
