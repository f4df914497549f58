using Berth.Api.Errors;

namespace Berth.Api.Skills;

internal static class SkillsEndpoints
{
    public static IEndpointRouteBuilder MapSkills(this IEndpointRouteBuilder app)
    {
        var skills = app.MapGroup("/v1/skills").RequireIdShapes();
        skills.MapPost("", (HttpRequest request, SkillsService service, CancellationToken cancellationToken) =>
            service.CreateAsync(request, cancellationToken)).DisableAntiforgery();
        skills.MapGet("", (int? limit, string? order, string? after, SkillsService service, CancellationToken cancellationToken) =>
            service.ListAsync(limit, order, after, cancellationToken));
        skills.MapGet("/{skillId}", (string skillId, SkillsService service, CancellationToken cancellationToken) =>
            service.GetAsync(skillId, cancellationToken));
        skills.MapPost("/{skillId}", (string skillId, HttpRequest request, SkillsService service, CancellationToken cancellationToken) =>
            service.UpdateAsync(skillId, request, cancellationToken));
        skills.MapDelete("/{skillId}", (string skillId, SkillsService service, CancellationToken cancellationToken) =>
            service.DeleteAsync(skillId, cancellationToken));
        skills.MapGet("/{skillId}/content", (string skillId, SkillsService service, CancellationToken cancellationToken) =>
            service.ContentAsync(skillId, null, cancellationToken));
        skills.MapPost("/{skillId}/versions", (string skillId, HttpRequest request, SkillsService service, CancellationToken cancellationToken) =>
            service.AddVersionAsync(skillId, request, cancellationToken)).DisableAntiforgery();
        skills.MapGet("/{skillId}/versions", (string skillId, int? limit, string? order, string? after, SkillsService service, CancellationToken cancellationToken) =>
            service.ListVersionsAsync(skillId, limit, order, after, cancellationToken));
        skills.MapGet("/{skillId}/versions/{skillVersion}", (string skillId, string skillVersion, SkillsService service, CancellationToken cancellationToken) =>
            service.GetVersionAsync(skillId, skillVersion, cancellationToken));
        skills.MapDelete("/{skillId}/versions/{skillVersion}", (string skillId, string skillVersion, SkillsService service, CancellationToken cancellationToken) =>
            service.DeleteVersionAsync(skillId, skillVersion, cancellationToken));
        skills.MapGet("/{skillId}/versions/{skillVersion}/content", (string skillId, string skillVersion, SkillsService service, CancellationToken cancellationToken) =>
            service.ContentAsync(skillId, skillVersion, cancellationToken));
        return app;
    }
}
