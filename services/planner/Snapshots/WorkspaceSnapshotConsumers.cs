using Berth.Contracts;
using Berth.Planner.Containers;
using Berth.Planner.Tenants;
using Berth.ServiceDefaults.Payloads;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Berth.Planner.Snapshots;

/// <summary>
/// <c>/v1/containers/{id}/snapshots</c>: a snapshot is taken by the executor that holds the
/// container, into the shared payload store, and recorded here; a tenant sees only its own.
/// </summary>
internal sealed class WorkspaceSnapshotConsumers(
    IWorkspaceSnapshotStore snapshots,
    IContainerStore containers,
    WorkspaceArchives archives,
    PayloadStore payloads,
    IOptions<TenantOptions> tenants,
    TimeProvider time)
    : IConsumer<CreateWorkspaceSnapshot>, IConsumer<ListWorkspaceSnapshots>, IConsumer<GetWorkspaceSnapshot>, IConsumer<DeleteWorkspaceSnapshot>
{
    /// <summary>As long as the executor may take (<c>Executor:SnapshotSeconds</c>'s default), and a little more.</summary>
    private static readonly RequestTimeout TakeWait = RequestTimeout.After(s: 330);

    /// <summary>The most snapshots one answer carries: OpenAI's largest page, and one to tell whether more follow.</summary>
    public const int MaxPage = 101;

    public async Task Consume(ConsumeContext<CreateWorkspaceSnapshot> context)
    {
        var request = context.Message;
        var tenant = Tenancy.Of(request.Tenant);
        if (await snapshots.FindAsync(request.SnapshotId, context.CancellationToken) is { } existing && Tenancy.Owns(existing.Tenant, tenant))
        {
            // A redelivered request: the snapshot it made.
            await context.RespondAsync(existing);
            return;
        }

        if (await containers.FindAsync(request.ContainerId, context.CancellationToken) is not { } container || !Tenancy.Owns(container.Tenant, tenant))
        {
            await context.RespondAsync(new ContainerNotFound(request.ContainerId));
            return;
        }

        if (container is not { Status: ContainerStatuses.Running, ExecutorId: not null })
        {
            await RejectAsync(context, ErrorCodes.ContainerExpired, container.KeptAs is { } kept
                ? $"Container '{container.Id}' is expired; its files were kept as snapshot '{kept}' already."
                : $"Container '{container.Id}' is {container.Status}; its files are gone.");
            return;
        }

        var now = time.GetUtcNow();
        var room = long.MaxValue;
        if (tenants.Value.SnapshotBytesOf(tenant) is { } total)
        {
            room = total - await snapshots.TotalBytesAsync(tenant, now, context.CancellationToken);
            if (room <= 0)
            {
                await RejectAsync(context, ErrorCodes.SnapshotLimitExceeded, $"Your snapshots hold {total / (1024 * 1024)} MB already, all this deployment keeps for you; delete some first.");
                return;
            }
        }

        var (made, failed) = await archives.TakeAsync(container.ExecutorId, new TakeWorkspaceSnapshot(container.SessionId) { MaxBytes = room }, TakeWait, context.CancellationToken);
        if (failed is not null)
        {
            var code = failed.Code == ErrorCodes.SnapshotTooLarge && room != long.MaxValue ? ErrorCodes.SnapshotLimitExceeded : failed.Code;
            await RejectAsync(context, code, failed.Message);
            return;
        }

        var snapshot = WorkspaceSnapshotRecord.Of(made!, request.SnapshotId, container.Id, tenant, now);
        await snapshots.AddAsync(snapshot, context.CancellationToken);
        await context.RespondAsync(snapshot);
    }

    public async Task Consume(ConsumeContext<ListWorkspaceSnapshots> context)
    {
        var request = context.Message;
        if (await containers.FindAsync(request.ContainerId, context.CancellationToken) is not { } container || !Tenancy.Owns(container.Tenant, request.Tenant))
        {
            await context.RespondAsync(new ContainerNotFound(request.ContainerId));
            return;
        }

        var now = time.GetUtcNow();
        var after = request.After is { } id ? await snapshots.FindAsync(id, context.CancellationToken) : null;
        if (request.After is not null && after?.ContainerId != container.Id)
        {
            await context.RespondAsync(new WorkspaceSnapshotList([]));
            return;
        }

        var limit = Math.Clamp(request.Limit, 1, MaxPage - 1);
        var page = await snapshots.ListAsync(container.Id, after, limit + 1, request.OldestFirst, now, context.CancellationToken);
        await context.RespondAsync(new WorkspaceSnapshotList([.. page.Take(limit)]) { HasMore = page.Count > limit });
    }

    public async Task Consume(ConsumeContext<GetWorkspaceSnapshot> context) =>
        await (await FindAsync(context.Message.ContainerId, context.Message.SnapshotId, context.Message.Tenant, context.CancellationToken) is { } found
            ? context.RespondAsync(found)
            : context.RespondAsync(new WorkspaceSnapshotNotFound(context.Message.SnapshotId)));

    public async Task Consume(ConsumeContext<DeleteWorkspaceSnapshot> context)
    {
        var found = await FindAsync(context.Message.ContainerId, context.Message.SnapshotId, context.Message.Tenant, context.CancellationToken);
        if (found is null || await snapshots.RemoveAsync(found.Id, context.CancellationToken) is not { } removed)
        {
            await context.RespondAsync(new WorkspaceSnapshotNotFound(context.Message.SnapshotId));
            return;
        }

        await payloads.DeleteAsync(removed.Address);
        if (removed.Skills is { } skills)
        {
            await payloads.DeleteAsync(skills);
        }

        await context.RespondAsync(removed);
    }

    /// <summary>The tenant's snapshot of that container, not expired; null for any other.</summary>
    private async Task<WorkspaceSnapshotInfo?> FindAsync(string containerId, string snapshotId, string? tenant, CancellationToken cancellationToken) =>
        await snapshots.FindAsync(snapshotId, cancellationToken) is { } found && found.ContainerId == containerId && Tenancy.Owns(found.Tenant, tenant)
            && found.ExpiresAt > time.GetUtcNow()
            ? found
            : null;

    private static Task RejectAsync(ConsumeContext context, string code, string message) =>
        context.RespondAsync(new TaskRejected { ResponseId = "", Code = code, Message = message });
}
