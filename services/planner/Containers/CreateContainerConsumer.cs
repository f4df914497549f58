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
internal sealed class CreateContainerConsumer(
    IContainerStore containers,
    IScopedClientFactory clients,
    Snapshots.IWorkspaceSnapshotStore snapshots,
    TimeProvider time,
    ExecutorRegistry executors,
    TenantAdmission admission,
    IOptions<PlannerOptions> options) : IConsumer<CreateContainer>
{
    /// <summary>How long a request waits in the pool: as long as a first call waits there for room.</summary>
    private static readonly RequestTimeout PoolWait = RequestTimeout.After(s: 120);

    public async Task Consume(ConsumeContext<CreateContainer> context)
    {
        var request = context.Message;
        var silence = TimeSpan.FromSeconds(options.Value.NoExecutorSeconds);
        if (!executors.AnyAlive(silence, request.Image))
        {
            // Nothing would take the request: answered now, not after the pool's two-minute wait,
            // which would hold a slot of this shared endpoint all along.
            await RejectAsync(context, ErrorCodes.NoExecutor, request.Image is null
                ? $"No executor has been heard from for {options.Value.NoExecutorSeconds} s, so nothing can make the container. Start an executor and try again."
                : $"No executor serving the image '{request.Image}' has been heard from for {options.Value.NoExecutorSeconds} s, so nothing can make the container. Start one that has the image and try again.");
            return;
        }

        if (await containers.FindAsync(request.ContainerId, context.CancellationToken) is { } existing)
        {
            // A redelivered request. The api makes the ids, so another tenant's is not possible;
            // it is still never handed over.
            await (Tenancy.Owns(existing.Tenant, request.Tenant)
                ? context.RespondAsync(existing)
                : RejectAsync(context, ErrorCodes.ContainerUnavailable, "That container id is taken."));
            return;
        }

        var tenant = Tenancy.Of(request.Tenant);
        Contracts.WorkspaceSnapshotInfo? from = null;
        if (request.FromSnapshot is { } snapshotId)
        {
            from = await snapshots.FindAsync(snapshotId, context.CancellationToken);
            if (from is null || !Tenancy.Owns(from.Tenant, tenant) || from.ExpiresAt <= time.GetUtcNow())
            {
                await context.RespondAsync(new TaskRejected { ResponseId = "", Code = RequestErrorCodes.InvalidValue, Param = "from_snapshot", Message = $"Snapshot with id '{snapshotId}' not found." });
                return;
            }
        }

        var sessionId = NewId.NextGuid();
        var (reservation, refusal) = await admission.ReserveContainerAsync(tenant, sessionId, context.CancellationToken);
        if (refusal is not null)
        {
            await RejectAsync(context, refusal.Code, refusal.Message);
            return;
        }

        using (reservation)
        {
            // Sent to the pool of the container's image: only executors that serve it take from there.
            var provisioned = (await clients.CreateRequestClient<ProvisionContainer>(Endpoints.Pool(request.Image), PoolWait).GetResponse<ContainerProvisioned>(
                new ProvisionContainer { SessionId = sessionId, IdleMinutes = request.IdleMinutes, MemoryMb = request.MemoryMb, Image = request.Image, NetworkPolicy = request.NetworkPolicy, Skills = request.Skills, RestoreFrom = from?.Address },
                context.CancellationToken)).Message;
            if (provisioned.Error is not null)
            {
                await RejectAsync(context, ErrorCodes.ContainerUnavailable, $"No container could be made: {provisioned.Error}");
                return;
            }

            var container = new ContainerSnapshot
            {
                Id = request.ContainerId,
                Name = request.Name,
                Status = ContainerStatuses.Running,
                SessionId = sessionId,
                ExecutorId = provisioned.ExecutorId,
                DockerContainerId = provisioned.ContainerId,
                IdleMinutes = request.IdleMinutes,
                MemoryMb = request.MemoryMb,
                Image = request.Image,
                RestoredFrom = from?.Id,
                CreatedAt = request.CreatedAt,
                LastActiveAt = request.CreatedAt,
                Tenant = tenant,
                NetworkPolicy = request.NetworkPolicy,
                Skills = request.Skills,
            };
            await containers.AddAsync(container, context.CancellationToken);
            await context.RespondAsync(container);
        }
    }

    private static Task RejectAsync(ConsumeContext<CreateContainer> context, string code, string message) =>
        context.RespondAsync(new TaskRejected { ResponseId = context.Message.ContainerId, Code = code, Message = message });
}
