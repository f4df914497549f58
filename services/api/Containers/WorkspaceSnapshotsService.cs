using System.Text.Json;
using Berth.Api.Errors;
using Berth.Api.Security;
using Berth.Api.Wire;
using Berth.Contracts;
using MassTransit;

namespace Berth.Api.Containers;

/// <summary><c>/v1/containers/{id}/snapshots</c> (a Berth extension): the container's workspace kept, to start new containers from.</summary>
internal sealed class WorkspaceSnapshotsService(PlannerClient planner, RequestTenant tenant)
{
    /// <summary>As long as an executor may take to archive a workspace, and a little more.</summary>
    private static readonly RequestTimeout TakeWait = RequestTimeout.After(s: 340);

    public async Task<IResult> CreateAsync(string containerId, CancellationToken cancellationToken)
    {
        var reply = await planner.Ask<CreateWorkspaceSnapshot>(Endpoints.SnapshotsQueue, TakeWait)
            .GetResponse<WorkspaceSnapshotInfo, ContainerNotFound, TaskRejected>(
                new CreateWorkspaceSnapshot(containerId) { SnapshotId = $"snap_{Guid.NewGuid():N}", Tenant = tenant.Id }, cancellationToken);
        if (reply.Is(out Response<WorkspaceSnapshotInfo>? made))
        {
            return Json(made.Message);
        }

        if (reply.Is(out Response<ContainerNotFound>? _))
        {
            return ContainerNotFound(containerId);
        }

        if (!reply.Is(out Response<TaskRejected>? refusal))
        {
            throw new InvalidOperationException("The planner answered neither a snapshot, not found nor rejected.");
        }

        var rejected = refusal.Message;
        return (rejected.Code switch
        {
            ErrorCodes.SnapshotLimitExceeded => new ApiError(StatusCodes.Status429TooManyRequests, rejected.Message, "requests", null, rejected.Code),
            ErrorCodes.SnapshotTooLarge or ErrorCodes.ContainerExpired or ErrorCodes.ContainerGone => ApiError.InvalidRequest(rejected.Message, null, rejected.Code),
            _ => new ApiError(StatusCodes.Status503ServiceUnavailable, rejected.Message, ErrorCodes.ServerError, null, rejected.Code),
        }).ToResult();
    }

    public async Task<IResult> ListAsync(string containerId, int? limit, string? order, string? after, CancellationToken cancellationToken)
    {
        if (Pagination.Validate(limit, order) is { } invalid)
        {
            return invalid.ToResult();
        }

        if (after is not null && !IdFormat.IsSnapshotId(after))
        {
            return ApiError.InvalidRequest($"Invalid 'after': expected the id of a snapshot from a previous page ({IdFormat.SnapshotIdShape}).", "after", RequestErrorCodes.InvalidValue).ToResult();
        }

        var reply = await planner.Ask<ListWorkspaceSnapshots>(Endpoints.SnapshotsQueue).GetResponse<WorkspaceSnapshotList, ContainerNotFound>(
            new ListWorkspaceSnapshots(containerId, limit ?? Pagination.DefaultLimit) { After = after, OldestFirst = order == "asc", Tenant = tenant.Id }, cancellationToken);
        if (!reply.Is(out Response<WorkspaceSnapshotList>? page))
        {
            return ContainerNotFound(containerId);
        }

        var body = ListPage.Of(page.Message.Snapshots, page.Message.HasMore, WorkspaceSnapshotObject.From, s => s.Id);
        return Results.Text(JsonSerializer.SerializeToUtf8Bytes(body, ApiJsonContext.Default.ListPageWorkspaceSnapshotObject), "application/json");
    }

    public async Task<IResult> GetAsync(string containerId, string snapshotId, CancellationToken cancellationToken)
    {
        var reply = await planner.Ask<GetWorkspaceSnapshot>(Endpoints.SnapshotsQueue).GetResponse<WorkspaceSnapshotInfo, WorkspaceSnapshotNotFound>(
            new GetWorkspaceSnapshot(containerId, snapshotId) { Tenant = tenant.Id }, cancellationToken);
        return reply.Is(out Response<WorkspaceSnapshotInfo>? found) ? Json(found.Message) : SnapshotNotFound(snapshotId);
    }

    public async Task<IResult> DeleteAsync(string containerId, string snapshotId, CancellationToken cancellationToken)
    {
        var reply = await planner.Ask<DeleteWorkspaceSnapshot>(Endpoints.SnapshotsQueue).GetResponse<WorkspaceSnapshotInfo, WorkspaceSnapshotNotFound>(
            new DeleteWorkspaceSnapshot(containerId, snapshotId) { Tenant = tenant.Id }, cancellationToken);
        return reply.Is(out Response<WorkspaceSnapshotInfo>? _)
            ? Results.Text(JsonSerializer.SerializeToUtf8Bytes(new DeletedObject(snapshotId, "container.snapshot.deleted"), ApiJsonContext.Default.DeletedObject), "application/json")
            : SnapshotNotFound(snapshotId);
    }

    private static IResult Json(WorkspaceSnapshotInfo snapshot) =>
        Results.Text(JsonSerializer.SerializeToUtf8Bytes(WorkspaceSnapshotObject.From(snapshot), ApiJsonContext.Default.WorkspaceSnapshotObject), "application/json");

    private static IResult ContainerNotFound(string containerId) => ApiError.NotFound($"Container with id '{containerId}' not found.").ToResult();

    private static IResult SnapshotNotFound(string snapshotId) => ApiError.NotFound($"Snapshot with id '{snapshotId}' not found.").ToResult();
}
