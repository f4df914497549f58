using Berth.Api.Errors;

namespace Berth.Api.Conversations;

internal static class ConversationsEndpoints
{
    public static IEndpointRouteBuilder MapConversations(this IEndpointRouteBuilder app)
    {
        var conversations = app.MapGroup("/v1/conversations").RequireIdShapes();
        conversations.MapPost("", (HttpRequest request, ConversationsService service, CancellationToken cancellationToken) =>
            service.CreateAsync(request, cancellationToken));
        conversations.MapGet("/{conversationId}", (string conversationId, ConversationsService service, CancellationToken cancellationToken) =>
            service.GetAsync(conversationId, cancellationToken));
        conversations.MapPost("/{conversationId}", (string conversationId, HttpRequest request, ConversationsService service, CancellationToken cancellationToken) =>
            service.UpdateAsync(conversationId, request, cancellationToken));
        conversations.MapDelete("/{conversationId}", (string conversationId, ConversationsService service, CancellationToken cancellationToken) =>
            service.DeleteAsync(conversationId, cancellationToken));
        conversations.MapGet("/{conversationId}/items", (string conversationId, int? limit, string? order, string? after, HttpRequest request, ConversationsService service,
            CancellationToken cancellationToken) => service.ListItemsAsync(conversationId, limit, order, after, Include(request), cancellationToken));
        conversations.MapPost("/{conversationId}/items", (string conversationId, HttpRequest request, ConversationsService service, CancellationToken cancellationToken) =>
            service.AddItemsAsync(conversationId, request, Include(request), cancellationToken));
        conversations.MapGet("/{conversationId}/items/{conversationItemId}", (string conversationId, string conversationItemId, HttpRequest request, ConversationsService service,
            CancellationToken cancellationToken) => service.GetItemAsync(conversationId, conversationItemId, Include(request), cancellationToken));
        conversations.MapDelete("/{conversationId}/items/{conversationItemId}", (string conversationId, string conversationItemId, ConversationsService service,
            CancellationToken cancellationToken) => service.DeleteItemAsync(conversationId, conversationItemId, cancellationToken));
        return app;
    }

    /// <summary>The SDKs send <c>include</c> as <c>include[]</c>, or repeated.</summary>
    private static IReadOnlyList<string> Include(HttpRequest request) => [.. request.Query["include"].Concat(request.Query["include[]"]).OfType<string>()];
}
