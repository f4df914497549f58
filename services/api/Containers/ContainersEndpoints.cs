namespace Berth.Api.Containers;

public static class ContainersEndpoints
{
    public static IEndpointRouteBuilder MapContainers(this IEndpointRouteBuilder app)
    {
        var containers = app.MapGroup("/v1/containers");
        containers.MapPost("", (HttpRequest request, ContainersService service, CancellationToken cancellationToken) =>
            service.CreateAsync(request, cancellationToken));
        containers.MapGet("", (int? limit, string? order, string? after, ContainersService service, CancellationToken cancellationToken) =>
            service.ListAsync(limit, order, after, cancellationToken));
        containers.MapGet("/{containerId}", (string containerId, ContainersService service, CancellationToken cancellationToken) =>
            service.GetAsync(containerId, cancellationToken));
        containers.MapDelete("/{containerId}", (string containerId, ContainersService service, CancellationToken cancellationToken) =>
            service.DeleteAsync(containerId, cancellationToken));
        return app;
    }
}
