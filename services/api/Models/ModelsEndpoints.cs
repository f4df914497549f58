namespace Berth.Api.Models;

internal static class ModelsEndpoints
{
    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder app)
    {
        var models = app.MapGroup("/v1/models");
        models.MapGet("", (ModelsService service, CancellationToken cancellationToken) => service.ListAsync(cancellationToken));

        // A model id may hold slashes (meta-llama/Llama-3.1-8B-Instruct), so the rest of the path is the id.
        models.MapGet("/{**model}", (string model, ModelsService service, CancellationToken cancellationToken) => service.GetAsync(model, cancellationToken));
        return app;
    }
}
