using Berth.Api.Errors;

namespace Berth.Api.Responses;

internal static class ResponsesEndpoints
{
    public static IEndpointRouteBuilder MapResponses(this IEndpointRouteBuilder app)
    {
        var responses = app.MapGroup("/v1/responses").RequireIdShapes();
        responses.MapPost("", (HttpRequest request, ResponsesService service, CancellationToken cancellationToken) =>
            service.CreateAsync(request, cancellationToken));
        responses.MapPost("/compact", (HttpRequest request, CompactionService service, CancellationToken cancellationToken) =>
            service.CompactAsync(request, cancellationToken));
        responses.MapGet("/{responseId}", (HttpContext http, string responseId, ResponsesService service, CancellationToken cancellationToken) =>
            service.GetAsync(http, responseId, cancellationToken));
        responses.MapDelete("/{responseId}", (string responseId, ResponseRecordsService service, CancellationToken cancellationToken) =>
            service.DeleteAsync(responseId, cancellationToken));
        responses.MapGet("/{responseId}/input_items", (string responseId, int? limit, string? order, string? after, string? before, HttpRequest request,
            ResponseRecordsService service, CancellationToken cancellationToken) =>
            service.ListInputItemsAsync(responseId, limit, order, after, before, [.. request.Query["include"].Concat(request.Query["include[]"]).OfType<string>()], cancellationToken));
        responses.MapPost("/{responseId}/cancel", (string responseId, ResponsesService service, CancellationToken cancellationToken) =>
            service.CancelAsync(responseId, cancellationToken));
        return app;
    }
}
