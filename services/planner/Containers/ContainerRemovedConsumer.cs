using Berth.Contracts;
using MassTransit;

namespace Berth.Planner.Containers;

/// <summary>
/// A container is gone without its owner asking: an executor removed it (idle expiry), or the
/// executor itself was lost. One made by <c>POST /v1/containers</c> says so from then on; a
/// session's own record goes, as nothing but its session knew of it. Either way it no longer
/// counts against its tenant's container limit. With <c>Executor:SnapshotOnExpiry</c> an expired
/// container's workspace comes kept: it is recorded as a snapshot of the container, and the
/// session is told, so that its next call makes a new container restored from it. A container of
/// <c>POST /v1/containers</c> reads expired with the snapshot it was kept as, and the next response
/// that names it makes it again (<see cref="Intake.SessionPlacement"/>).
/// </summary>
internal sealed class ContainerRemovedConsumer(IContainerStore containers, Snapshots.IWorkspaceSnapshotStore snapshots, TimeProvider time)
    : IConsumer<ContainerRemoved>, IConsumer<ExecutorLost>
{
    public async Task Consume(ConsumeContext<ContainerRemoved> context)
    {
        if (await containers.FindBySessionAsync(context.Message.SessionId, context.CancellationToken) is not { } container)
        {
            return;
        }

        string? keptAs = null;
        if (context.Message.Kept is { } kept)
        {
            // Its id follows from the archive's address, so a redelivery records the same snapshot again, not a second.
            var snapshotId = "snap_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(kept.Address.ToString())))[..32];
            await snapshots.AddAsync(Snapshots.WorkspaceSnapshotRecord.Of(kept, snapshotId, container.Id, container.Tenant, time.GetUtcNow()), context.CancellationToken);
            await context.Send(Endpoints.Sessions, new SessionWorkspaceKept
            {
                SessionId = context.Message.SessionId,
                ExecutorId = context.Message.ExecutorId,
                SnapshotId = snapshotId,
                Archive = kept.Address,
                Skills = kept.Skills,
            });
            keptAs = snapshotId;
        }

        if (container.Auto)
        {
            await containers.DeleteAsync(container.Id, context.CancellationToken);
        }
        else if (keptAs is not null)
        {
            await containers.AddAsync(container with { Status = ContainerStatuses.Expired, KeptAs = keptAs }, context.CancellationToken);
        }
        else
        {
            await containers.SetStatusAsync(container.Id, context.Message.Reason == ContainerStatuses.Expired ? ContainerStatuses.Expired : ContainerStatuses.Deleted, context.CancellationToken);
        }
    }

    public Task Consume(ConsumeContext<ExecutorLost> context) => containers.ForgetExecutorAsync(context.Message.ExecutorId, context.CancellationToken);
}
