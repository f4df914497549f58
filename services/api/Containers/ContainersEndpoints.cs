using Berth.Api.Errors;

namespace Berth.Api.Containers;

internal static class ContainersEndpoints
{
    public static IEndpointRouteBuilder MapContainers(this IEndpointRouteBuilder app)
    {
        var containers = app.MapGroup("/v1/containers").RequireIdShapes();
        containers.MapPost("", (HttpRequest request, ContainersService service, CancellationToken cancellationToken) =>
            service.CreateAsync(request, cancellationToken));
        containers.MapGet("", (int? limit, string? order, string? after, ContainersService service, CancellationToken cancellationToken) =>
            service.ListAsync(limit, order, after, cancellationToken));
        containers.MapGet("/{containerId}", (string containerId, ContainersService service, CancellationToken cancellationToken) =>
            service.GetAsync(containerId, cancellationToken));
        containers.MapDelete("/{containerId}", (string containerId, ContainersService service, CancellationToken cancellationToken) =>
            service.DeleteAsync(containerId, cancellationToken));

        var files = containers.MapGroup("/{containerId}/files");
        files.MapPost("", (string containerId, HttpRequest request, ContainerFilesService service, CancellationToken cancellationToken) =>
            service.UploadAsync(containerId, request, cancellationToken)).DisableAntiforgery();
        files.MapGet("", (string containerId, int? limit, string? order, string? after, ContainerFilesService service, CancellationToken cancellationToken) =>
            service.ListAsync(containerId, limit, order, after, cancellationToken));
        files.MapGet("/{fileId}", (string containerId, string fileId, ContainerFilesService service, CancellationToken cancellationToken) =>
            service.GetAsync(containerId, fileId, content: false, cancellationToken));
        files.MapGet("/{fileId}/content", (string containerId, string fileId, ContainerFilesService service, CancellationToken cancellationToken) =>
            service.GetAsync(containerId, fileId, content: true, cancellationToken));
        files.MapDelete("/{fileId}", (string containerId, string fileId, ContainerFilesService service, CancellationToken cancellationToken) =>
            service.DeleteAsync(containerId, fileId, cancellationToken));

        var snapshots = containers.MapGroup("/{containerId}/snapshots");
        snapshots.MapPost("", (string containerId, WorkspaceSnapshotsService service, CancellationToken cancellationToken) =>
            service.CreateAsync(containerId, cancellationToken));
        snapshots.MapGet("", (string containerId, int? limit, string? order, string? after, WorkspaceSnapshotsService service, CancellationToken cancellationToken) =>
            service.ListAsync(containerId, limit, order, after, cancellationToken));
        snapshots.MapGet("/{snapshotId}", (string containerId, string snapshotId, WorkspaceSnapshotsService service, CancellationToken cancellationToken) =>
            service.GetAsync(containerId, snapshotId, cancellationToken));
        snapshots.MapDelete("/{snapshotId}", (string containerId, string snapshotId, WorkspaceSnapshotsService service, CancellationToken cancellationToken) =>
            service.DeleteAsync(containerId, snapshotId, cancellationToken));
        return app;
    }
}
