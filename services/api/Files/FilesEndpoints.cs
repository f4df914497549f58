using Berth.Api.Errors;

namespace Berth.Api.Files;

internal static class FilesEndpoints
{
    public static IEndpointRouteBuilder MapFiles(this IEndpointRouteBuilder app)
    {
        var files = app.MapGroup("/v1/files").RequireIdShapes();
        files.MapPost("", (HttpRequest request, FileUpload upload, CancellationToken cancellationToken) =>
            upload.UploadAsync(request, cancellationToken)).DisableAntiforgery();
        files.MapGet("", (int? limit, string? order, string? after, string? purpose, FilesService service, CancellationToken cancellationToken) =>
            service.ListAsync(limit, order, after, purpose, cancellationToken));
        files.MapGet("/{uploadedFileId}", (string uploadedFileId, FilesService service, CancellationToken cancellationToken) =>
            service.GetAsync(uploadedFileId, cancellationToken));
        files.MapGet("/{uploadedFileId}/content", (string uploadedFileId, FilesService service, CancellationToken cancellationToken) =>
            service.ContentAsync(uploadedFileId, cancellationToken));
        files.MapDelete("/{uploadedFileId}", (string uploadedFileId, FilesService service, CancellationToken cancellationToken) =>
            service.DeleteAsync(uploadedFileId, cancellationToken));
        return app;
    }
}
